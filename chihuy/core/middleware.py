from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from chihuy.core.actor import acting_as


class ActorMiddleware:
    """Makes the logged-in user the actor of every change made during the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with acting_as(getattr(request, "user", None)):
            return self.get_response(request)


class VietnameseFirstMiddleware:
    """The web pages speak Vietnamese until the user picks English with the switcher.

    Many officers' phones and browsers are set to English; following their
    Accept-Language would show a Vietnamese command centre in English by surprise.
    The language cookie (set by the switcher) still wins, and the API keeps
    honouring Accept-Language because an integration asks for it on purpose.
    Must come before ``LocaleMiddleware``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith("/api/"):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
