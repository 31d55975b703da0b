"""Channels: in-app always; SMS (through the gateway interface: the file backend here, and the
Aliyun adapter's signing against its documented example) and e-mail as each user chose; sending
in the background with retries and backoff, each attempt logged."""

from __future__ import annotations

import datetime
import json
import logging

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from fpa.accounts.services import user_update
from fpa.notifications import sending, services, sms
from fpa.notifications.models import Delivery, Message
from fpa.notifications.sending import Choice
from tests.notifications_helpers import message_for

PHONE = "13900001111"


class FailingBackend(sms.SmsBackend):
    """A test double of an external gateway that is down (counts the calls)."""

    calls = 0

    def send(self, *, phone: str, text: str, reference: str = "") -> None:
        FailingBackend.calls += 1
        raise sms.SmsError("gateway unreachable")


@pytest.fixture
def outbox(settings, tmp_path):
    settings.FPA_SMS_BACKEND = "fpa.notifications.sms.FileBackend"
    settings.FPA_SMS_FILE = str(tmp_path / "sms.jsonl")
    return tmp_path / "sms.jsonl"


@pytest.fixture
def reachable(township, sysadmin):
    """The township officer has a phone and an e-mail address and chose both for returns."""
    user_update(actor=sysadmin, user=township, full_name="刘镇专干", phone=PHONE, is_active=True)
    township.email = "township@example.invalid"
    township.save(update_fields=["email"])
    township.refresh_from_db()
    services.preferences_save(
        actor=township, choices={"reports.returned": Choice(sms=True, email=True)}
    )
    return township


def sent_lines(path):
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_sms_and_email_go_as_chosen(outbox, reachable, caplog):
    with caplog.at_level(logging.INFO, logger="fpa.notifications.sending"):
        message = message_for(reachable, title="月报第3期被退回")
    (line,) = sent_lines(outbox)
    assert line["phone"] == PHONE and "月报第3期被退回" in line["text"]
    (email,) = mail.outbox
    assert email.to == ["township@example.invalid"] and email.subject == "月报第3期被退回"
    assert "请核对本月走访次数" in email.body
    deliveries = {d.channel: d for d in Delivery.objects.filter(message=message)}
    assert set(deliveries) == {"sms", "email"}
    assert all(d.status == "sent" and d.attempts == 1 and d.sent_at for d in deliveries.values())
    # the log and the delivery row keep the masked number only
    assert deliveries["sms"].destination == "139****1111"
    assert PHONE not in caplog.text and "sent at attempt 1" in caplog.text


def test_in_app_only_by_default(outbox, township):
    message_for(township)
    assert Message.objects.count() == 1
    assert Delivery.objects.count() == 0 and sent_lines(outbox) == [] and mail.outbox == []


def test_no_phone_means_no_sms_delivery(outbox, township):
    services.preferences_save(actor=township, choices={"reports.returned": Choice(sms=True)})
    message_for(township)
    assert Delivery.objects.count() == 0 and sent_lines(outbox) == []


def test_a_kind_chosen_for_the_digest_is_held(outbox, reachable):
    services.preferences_save(
        actor=reachable,
        choices={"reports.returned": Choice(sms=True, email=True, digest=True)},
    )
    message = message_for(reachable)
    assert message.held and Message.objects.of(reachable).unread().count() == 1  # in-app at once
    assert Delivery.objects.count() == 0 and sent_lines(outbox) == [] and mail.outbox == []


def test_a_failing_gateway_is_retried_with_backoff_then_given_up(settings, reachable, caplog):
    settings.FPA_SMS_BACKEND = f"{__name__}.FailingBackend"
    settings.FPA_NOTIFY_MAX_ATTEMPTS = 3
    settings.FPA_NOTIFY_RETRY_SECONDS = 60
    FailingBackend.calls = 0
    start = timezone.now()
    with time_machine.travel(start, tick=False), caplog.at_level(logging.WARNING):
        message = message_for(reachable)
    sms_delivery = Delivery.objects.get(message=message, channel="sms")
    assert sms_delivery.status == "pending" and sms_delivery.attempts == 1
    assert "gateway unreachable" in sms_delivery.last_error
    assert sms_delivery.next_attempt_at == start + datetime.timedelta(seconds=60)
    assert Delivery.objects.get(message=message, channel="email").status == "sent"
    assert "attempt 1 failed" in caplog.text
    # not yet due: the command leaves it
    with time_machine.travel(start + datetime.timedelta(seconds=30), tick=False):
        call_command("send_notifications", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert FailingBackend.calls == 1
    # due: second attempt, the wait doubles
    with time_machine.travel(start + datetime.timedelta(seconds=61), tick=False):
        call_command("send_notifications", stdout=open("/dev/null", "w"))  # noqa: SIM115
    sms_delivery.refresh_from_db()
    assert FailingBackend.calls == 2 and sms_delivery.attempts == 2
    assert sms_delivery.next_attempt_at == start + datetime.timedelta(seconds=61 + 120)
    # third attempt: given up for good
    with time_machine.travel(start + datetime.timedelta(seconds=200), tick=False):
        sending.send_due()
    sms_delivery.refresh_from_db()
    assert sms_delivery.status == "failed" and sms_delivery.attempts == 3
    assert "failed for good" in caplog.text
    with time_machine.travel(start + datetime.timedelta(days=1), tick=False):
        assert sending.send_due()["failed"] == 0
    assert FailingBackend.calls == 3


def test_a_retry_succeeds_once_the_gateway_is_back(settings, outbox, reachable):
    settings.FPA_SMS_BACKEND = f"{__name__}.FailingBackend"
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        message = message_for(reachable)
    settings.FPA_SMS_BACKEND = "fpa.notifications.sms.FileBackend"
    with time_machine.travel(start + datetime.timedelta(minutes=5), tick=False):
        outcome = sending.send_due()
    assert outcome["sent"] == 1
    delivery = Delivery.objects.get(message=message, channel="sms")
    assert delivery.status == "sent" and delivery.attempts == 2 and delivery.last_error == ""
    assert len(sent_lines(outbox)) == 1


def test_a_delivery_is_not_sent_twice(outbox, reachable):
    message = message_for(reachable)
    delivery = Delivery.objects.get(message=message, channel="sms")
    assert sending.attempt(delivery.pk) == ""  # already sent: skipped
    assert len(sent_lines(outbox)) == 1


# --- the Aliyun adapter -------------------------------------------------------------------------

# The example of Aliyun's SMS signature documentation (SendSms, AccessKey testId / testSecret).
DOC_PARAMS = {
    "AccessKeyId": "testId",
    "Action": "SendSms",
    "Format": "XML",
    "OutId": "123",
    "PhoneNumbers": "15300000001",
    "RegionId": "cn-hangzhou",
    "SignName": "阿里云短信测试专用",
    "SignatureMethod": "HMAC-SHA1",
    "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
    "SignatureVersion": "1.0",
    "TemplateCode": "SMS_71390007",
    "TemplateParam": '{"customer":"test"}',
    "Timestamp": "2017-07-12T02:42:19Z",
    "Version": "2017-05-25",
}
DOC_STRING_TO_SIGN = (
    "GET&%2F&AccessKeyId%3DtestId%26Action%3DSendSms%26Format%3DXML%26OutId%3D123%26"
    "PhoneNumbers%3D15300000001%26RegionId%3Dcn-hangzhou%26SignName%3D%25E9%2598%25BF%25E9"
    "%2587%258C%25E4%25BA%2591%25E7%259F%25AD%25E4%25BF%25A1%25E6%25B5%258B%25E8%25AF%2595"
    "%25E4%25B8%2593%25E7%2594%25A8%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D45e25e9b"
    "-0a6f-4070-8c85-2956eda1b466%26SignatureVersion%3D1.0%26TemplateCode%3DSMS_71390007%26"
    "TemplateParam%3D%257B%2522customer%2522%253A%2522test%2522%257D%26Timestamp%3D2017-07-12T02"
    "%253A42%253A19Z%26Version%3D2017-05-25"
)


def test_aliyun_signing_matches_the_documented_example():
    assert sms.aliyun_string_to_sign(DOC_PARAMS) == DOC_STRING_TO_SIGN
    assert sms.aliyun_signature(DOC_PARAMS, "testSecret") == "zJDF+Lrzhj/ThnlvIToysFRq6t4="
    # a Signature already present is not signed over
    assert sms.aliyun_signature({**DOC_PARAMS, "Signature": "x"}, "testSecret") == (
        "zJDF+Lrzhj/ThnlvIToysFRq6t4="
    )
    assert sms.percent_encode("a b*~") == "a%20b%2A~"


def test_aliyun_request_is_signed_with_the_settings(settings):
    settings.FPA_SMS_ALIYUN_ACCESS_KEY_ID = "testId"
    settings.FPA_SMS_ALIYUN_ACCESS_KEY_SECRET = "testSecret"
    settings.FPA_SMS_ALIYUN_SIGN_NAME = "阿里云短信测试专用"
    settings.FPA_SMS_ALIYUN_TEMPLATE_CODE = "SMS_71390007"
    params = sms.AliyunBackend().request_params(
        phone="15300000001",
        text="月报被退回",
        reference="123",
        nonce="45e25e9b-0a6f-4070-8c85-2956eda1b466",
        timestamp="2017-07-12T02:42:19Z",
    )
    signature = params.pop("Signature")
    assert params["TemplateParam"] == '{"title": "月报被退回"}'
    assert signature == sms.aliyun_signature(params, "testSecret")
    assert signature != sms.aliyun_signature(params, "otherSecret")


def test_aliyun_unconfigured_fails_without_the_network(settings):
    settings.FPA_SMS_ALIYUN_ACCESS_KEY_ID = ""
    with pytest.raises(sms.SmsError, match="not configured"):
        sms.AliyunBackend().send(phone="15300000001", text="x")


def test_the_backend_comes_from_settings(settings):
    assert isinstance(sms.backend(), sms.ConsoleBackend)
    settings.FPA_SMS_BACKEND = "fpa.notifications.sms.AliyunBackend"
    assert isinstance(sms.backend(), sms.AliyunBackend)
