"""Settings for the HTTP benches (bench/throughput.py, bench/locustfile.py servers): exactly
`make run`'s settings (config.settings.local: production middleware, sessions, templates,
DEBUG=False, the var/ database and keys), plus one URL, /bench/minimal/, from bench/http_urls.py.
The production URLs (config.urls) do not have it."""

import os

from config.settings.local import *  # noqa: F403

ROOT_URLCONF = "bench.http_urls"

# For the before/after figure of the session refresh: FPA_BENCH_SAVE_EVERY_REQUEST=1 restores the
# old behaviour (the session row written on every request).
if os.environ.get("FPA_BENCH_SAVE_EVERY_REQUEST") == "1":
    SESSION_SAVE_EVERY_REQUEST = True
