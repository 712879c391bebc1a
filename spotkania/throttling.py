"""Login throttling with django-axes (issue 6, "Hardening").

- `ThrottlingBackend`: axes' lockout check, first in AUTHENTICATION_BACKENDS, so the login
  page, the admin's login and the API's `POST /api/v1/auth/token` are throttled by one
  mechanism (failures counted per username and client address).
- `lockout_response`: what a locked-out client gets: JSON under /api/, the login page with
  the reason elsewhere; 429 Too Many Requests with Retry-After in both cases.
- `ThrottledPasswordResetView`: the password reset, limited per address and per client.
"""

from __future__ import annotations

import functools

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off, get_lockout_message
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.datastructures import MultiValueDict
from django.utils.translation import ngettext
from django_ratelimit.core import get_usage


def lockout_message() -> str:
    """Axes' own message, translated by axes' catalog (Polish included)."""
    return str(get_lockout_message())


class ThrottlingBackend(AxesStandaloneBackend):
    """django-axes' lockout check, without the rest of ModelBackend.

    A call without a request (a management command, a shell, a test client's login())
    comes from no network client, so there is nothing to count it against: it is let
    through to the next backend instead of raising, as axes does. Every login that comes
    over HTTP (the login page, the admin, the API's token endpoint) passes its request.

    axes records a failure with the request's form data (`request.POST`). A body that
    cannot be parsed as a form (a multipart one without a boundary, say) made the
    recording raise, so the failure went uncounted while the password had been checked
    (issue 16). Such a body holds no form data for axes to record: it is read here as
    empty, before any credential is checked, so every check that happens is counted."""

    def authenticate(self, request: HttpRequest | None, *args, **kwargs):
        if request is None:
            return None
        _form_data_or_empty(request)
        return super().authenticate(request, *args, **kwargs)


def _form_data_or_empty(request: HttpRequest) -> None:
    try:
        request.POST  # noqa: B018 (parses the body once, as axes will)
    except (MultiPartParserError, SuspiciousOperation, ValueError):
        request._post, request._files = QueryDict(), MultiValueDict()


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
            {
                "form": AuthenticationForm(request),
                "lockout_message": lockout_message(),
                **_login_context(),
            },
            status=429,
        )
    return _retry_after(response, request)


class LoginView(auth_views.LoginView):
    """Django's login page, linking the password reset while it is on."""

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **_login_context()}


def _login_context() -> dict:
    return {"password_reset_enabled": settings.PASSWORD_RESET_ENABLED}


class ThrottledPasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, throttled per address and per client (issue 16).

    Unthrottled, anyone could have one employee sent reset e-mails without end. Every POST
    counts against the address it names (whether or not an employee has it, so the answer
    tells nothing about who exists) and against the client's address; over either limit
    the form answers 429 with Retry-After and sends nothing. The counters live in the
    `throttle` cache through django-ratelimit, shared by every process (Redis, or files on
    the host: spotkania/deployment.py). `PASSWORD_RESET_RATE_PER_ADDRESS` and
    `..._PER_CLIENT` set the limits (`"3/h"`).
    """

    def post(self, request, *args, **kwargs):
        address = str(request.POST.get("email", "")).strip().lower()[:254]
        for group, key, rate in (
            ("password-reset-client", "ip", settings.PASSWORD_RESET_RATE_PER_CLIENT),
            (
                "password-reset-address",
                lambda _group, _request: address,
                settings.PASSWORD_RESET_RATE_PER_ADDRESS,
            ),
        ):
            usage = get_usage(request, group=group, key=key, rate=rate, increment=True)
            if usage is not None and usage["should_limit"]:
                return self._throttled(usage["time_left"])
        return super().post(request, *args, **kwargs)

    def _throttled(self, seconds_left: int) -> HttpResponse:
        form = self.get_form()
        form.errors.clear()
        minutes = max(1, -(-seconds_left // 60))
        form.add_error(
            None,
            ngettext(
                "Too many password reset requests. Try again in %(minutes)d minute.",
                "Too many password reset requests. Try again in %(minutes)d minutes.",
                minutes,
            )
            % {"minutes": minutes},
        )
        response = self.render_to_response(self.get_context_data(form=form), status=429)
        response["Retry-After"] = str(max(1, seconds_left))
        return response


def password_reset_enabled(view):
    """The reset pages answer 404 while `PASSWORD_RESET_ENABLED` is off (a company that
    resets passwords itself, or has no mail server)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not settings.PASSWORD_RESET_ENABLED:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper
