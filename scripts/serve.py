"""`make serve`: gunicorn and one task worker, started together and stopped together.

Ctrl-C, SIGTERM or SIGHUP stops both; if either exits on its own, the other is stopped too and
this script exits with a non-zero status. Usage: serve.py -- <gunicorn args...>
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

BIN = os.path.dirname(sys.executable)


def main(argv: list[str]) -> int:
    gunicorn_args = argv[argv.index("--") + 1 :] if "--" in argv else argv
    children = [
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
