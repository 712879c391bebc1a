"""Login throttling with django-axes (issue 6, "Hardening").

- `ThrottlingBackend`: axes' lockout check, first in AUTHENTICATION_BACKENDS, so the login
  page, the admin's login and the API's `POST /api/v1/auth/token` are throttled by one
  mechanism (failures counted per username and client address).
- `lockout_response`: what a locked-out client gets: JSON under /api/, the login page with
  the reason elsewhere; 429 Too Many Requests with Retry-After in both cases.
"""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off, get_lockout_message
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


def lockout_message() -> str:
    """Axes' own message, translated by axes' catalog (Polish included)."""
    return str(get_lockout_message())


class ThrottlingBackend(AxesStandaloneBackend):
    """django-axes' lockout check, without the rest of ModelBackend.

    A call without a request (a management command, a shell, a test client's login())
    comes from no network client, so there is nothing to count it against: it is let
    through to the next backend instead of raising, as axes does. Every login that comes
    over HTTP (the login page, the admin, the API's token endpoint) passes its request."""

    def authenticate(self, request: HttpRequest | None, *args, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)


def _retry_after(response: HttpResponse, request: HttpRequest) -> HttpResponse:
    cool_off = get_cool_off(request)
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response


def lockout_response(request: HttpRequest, original_response=None, credentials=None):
    """The answer to a request that hit the lockout (AXES_LOCKOUT_CALLABLE)."""
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": lockout_message()}, status=429)
    else:
        response = render(
            request,
            "registration/login.html",
            {"form": AuthenticationForm(request), "lockout_message": lockout_message()},
            status=429,
        )
    return _retry_after(response, request)
