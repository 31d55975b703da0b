"""The bare WSGI app of bench/throughput.py: what gunicorn alone serves on this machine."""


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]
