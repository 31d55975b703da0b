"""`make serve`: gunicorn, one task worker and (for the demo) a ledger witness, started together
and stopped together.

Ctrl-C, SIGTERM or SIGHUP stops them all; if one exits on its own, the others are stopped too and
this script exits with a non-zero status.

Usage: serve.py [--witness-dir DIR --witness-port PORT] -- <gunicorn args...>

With --witness-dir (`make run` passes var/demo-witness), `tools/witness.py serve` runs first on
127.0.0.1:PORT, trusting this server's ledger key (docs/ledger.md, "Witnesses"); the demo seed
registered it (`manage.py ledger_witness add`), so the worker submits each new checkpoint to it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

BIN = os.path.dirname(sys.executable)


def _option(argv: list[str], name: str) -> str | None:
    return argv[argv.index(name) + 1] if name in argv[:-1] else None


def _wait_for_port(port: int, child: subprocess.Popen[bytes], timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and child.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)


def _witness(directory: str, port: str) -> subprocess.Popen[bytes] | None:
    if not os.path.exists(os.path.join(directory, "witness-key.pem")):
        print(f"No demo witness in {directory} (run `make demo`); serving without it.")
        return None
    log_key = subprocess.run(
        [sys.executable, "manage.py", "ledger_witness", "operator-key"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    child = subprocess.Popen(  # noqa: S603 (our own argv)
        [
            sys.executable,
            os.path.join("tools", "witness.py"),
            "serve",
            "--dir",
            directory,
            "--port",
            port,
            "--log",
            log_key,
        ]
    )
    _wait_for_port(int(port), child)
    return child


def main(argv: list[str]) -> int:
    ours = argv[: argv.index("--")] if "--" in argv else []
    gunicorn_args = argv[argv.index("--") + 1 :] if "--" in argv else argv
    children: list[subprocess.Popen[bytes]] = []
    witness_dir = _option(ours, "--witness-dir")
    if witness_dir:
        witness = _witness(witness_dir, _option(ours, "--witness-port") or "8001")
        if witness is not None:
            children.append(witness)
    children += [
        subprocess.Popen([os.path.join(BIN, "gunicorn"), *gunicorn_args]),  # noqa: S603 (our own argv)
        subprocess.Popen([sys.executable, "manage.py", "run_worker", "--no-startup-delay"]),
    ]
    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, stop)
    while not stopping and all(child.poll() is None for child in children):
        time.sleep(0.2)
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 30
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    return 0 if stopping else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
