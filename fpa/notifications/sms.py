"""Sending a text message: one gateway interface and its backends.

`backend()` returns the backend named by the setting FPA_SMS_BACKEND (a dotted path; the
console backend by default). The console and file backends are for the demo and the tests (the
file backend writes one JSON line per message under VAR_DIR); `AliyunBackend` calls Aliyun's
SMS service (dysmsapi `SendSms`, RPC signature version 1.0, HMAC-SHA1) with the standard library.
A backend raises `SmsError` when the gateway refused or could not be reached: the delivery is
retried later.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
import logging
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

DEFAULT_BACKEND = "fpa.notifications.sms.ConsoleBackend"


class SmsError(Exception):
    """The gateway did not accept the message (the text says why, without the number)."""


class SmsBackend:
    """Send `text` to the mobile number `phone` (clear, 11 digits); raise SmsError on failure."""

    def send(self, *, phone: str, text: str, reference: str = "") -> None:
        raise NotImplementedError


class ConsoleBackend(SmsBackend):
    """Writes the message to the log (the demo: nothing leaves the server)."""

    def send(self, *, phone: str, text: str, reference: str = "") -> None:
        logger.info("SMS to %s****%s: %s", phone[:3], phone[-4:], text)


class FileBackend(SmsBackend):
    """Appends one JSON line per message to FPA_SMS_FILE (default VAR_DIR/sms-outbox.jsonl)."""

    def path(self) -> Path:
        configured = getattr(settings, "FPA_SMS_FILE", "")
        return Path(configured) if configured else Path(settings.VAR_DIR) / "sms-outbox.jsonl"

    def send(self, *, phone: str, text: str, reference: str = "") -> None:
        path = self.path()
        path.parent.mkdir(parents=True, exist_ok=True)
        line = {
            "at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "phone": phone,
            "text": text,
            "reference": reference,
        }
        with path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")


# --- Aliyun SMS (dysmsapi 2017-05-25, SendSms) -------------------------------------------------


def percent_encode(value: str) -> str:
    """Aliyun's POP encoding: RFC 3986 unreserved characters kept, everything else %XX (UTF-8),
    so a space is %20, "*" is %2A and "~" stays."""
    return urllib.parse.quote(value, safe="-_.~")


def aliyun_string_to_sign(params: dict[str, str], method: str = "GET") -> str:
    """METHOD & %2F & the encoded canonical query (parameters sorted by name, Signature left
    out)."""
    query = "&".join(
        f"{percent_encode(k)}={percent_encode(v)}"
        for k, v in sorted(params.items())
        if k != "Signature"
    )
    return f"{method}&{percent_encode('/')}&{percent_encode(query)}"


def aliyun_signature(params: dict[str, str], secret: str, method: str = "GET") -> str:
    """Base64 of HMAC-SHA1 over the string to sign, keyed with the AccessKey secret + "&"."""
    digest = hmac.new(
        f"{secret}&".encode(), aliyun_string_to_sign(params, method).encode(), hashlib.sha1
    ).digest()
    return base64.b64encode(digest).decode()


class AliyunBackend(SmsBackend):
    """Aliyun SMS. Settings: FPA_SMS_ALIYUN_ACCESS_KEY_ID, FPA_SMS_ALIYUN_ACCESS_KEY_SECRET,
    FPA_SMS_ALIYUN_SIGN_NAME (the approved 签名), FPA_SMS_ALIYUN_TEMPLATE_CODE (an approved
    template with one variable `${title}`), FPA_SMS_ALIYUN_ENDPOINT (https://dysmsapi.aliyuncs.com/),
    FPA_SMS_TIMEOUT (seconds, 10)."""

    def __init__(self) -> None:
        self.key_id = getattr(settings, "FPA_SMS_ALIYUN_ACCESS_KEY_ID", "")
        self.secret = getattr(settings, "FPA_SMS_ALIYUN_ACCESS_KEY_SECRET", "")
        self.sign_name = getattr(settings, "FPA_SMS_ALIYUN_SIGN_NAME", "")
        self.template = getattr(settings, "FPA_SMS_ALIYUN_TEMPLATE_CODE", "")
        self.endpoint = getattr(
            settings, "FPA_SMS_ALIYUN_ENDPOINT", "https://dysmsapi.aliyuncs.com/"
        )
        self.timeout = float(getattr(settings, "FPA_SMS_TIMEOUT", 10))

    def request_params(
        self,
        *,
        phone: str,
        text: str,
        reference: str = "",
        nonce: str | None = None,
        timestamp: str | None = None,
    ) -> dict[str, str]:
        """The signed query of one SendSms call (nonce and timestamp fixed in tests)."""
        params = {
            "AccessKeyId": self.key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "PhoneNumbers": phone,
            "RegionId": "cn-hangzhou",
            "SignName": self.sign_name,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": nonce or str(uuid.uuid4()),
            "SignatureVersion": "1.0",
            "TemplateCode": self.template,
            "TemplateParam": json.dumps({"title": text[:35]}, ensure_ascii=False),
            "Timestamp": timestamp
            or datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
        }
        if reference:
            params["OutId"] = reference
        params["Signature"] = aliyun_signature(params, self.secret)
        return params

    def send(self, *, phone: str, text: str, reference: str = "") -> None:
        if not (self.key_id and self.secret and self.sign_name and self.template):
            raise SmsError("Aliyun SMS is not configured (FPA_SMS_ALIYUN_* settings)")
        query = urllib.parse.urlencode(
            self.request_params(phone=phone, text=text, reference=reference),
            quote_via=urllib.parse.quote,
        )
        try:
            with urllib.request.urlopen(  # noqa: S310 (a fixed https endpoint from settings)
                f"{self.endpoint}?{query}", timeout=self.timeout
            ) as response:
                answer: dict[str, Any] = json.loads(response.read().decode("utf-8"))
        except (OSError, ValueError) as exc:
            raise SmsError(f"Aliyun SMS unreachable: {type(exc).__name__}") from exc
        if answer.get("Code") != "OK":
            raise SmsError(f"Aliyun SMS refused: {answer.get('Code')} {answer.get('Message')}")


def backend() -> SmsBackend:
    path = getattr(settings, "FPA_SMS_BACKEND", "") or DEFAULT_BACKEND
    instance: SmsBackend = import_string(path)()
    return instance
