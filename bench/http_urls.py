"""config.urls plus Django's minimal signed-in view, for bench/throughput.py only."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as production_urlpatterns
from fpa.core.scope import scoped_view


@scoped_view(capability="account.self")
def minimal(request: HttpRequest) -> HttpResponse:
    """A short text through the whole middleware stack and the same scope check as every page
    (signed in, capability), with nothing else: the cost of the framework and the session."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/minimal/", minimal, name="bench_minimal"), *production_urlpatterns]
