"""Settings for the HTTP benches (bench/throughput.py, bench/locustfile.py servers): exactly
`make run`'s settings (config.settings.local: production middleware, sessions, templates,
DEBUG=False, the var/ database and keys), plus one URL, /bench/minimal/, from bench/http_urls.py.
The production URLs (config.urls) do not have it."""

from config.settings.local import *  # noqa: F403

ROOT_URLCONF = "bench.http_urls"
