"""Requests refused before any view, middleware or query reads them (issue 16).

Two classes of malformed request used to reach code that could not take them:

- **Control characters in the path** (`/schedule/feed/abc%00.ics`): a path segment goes
  into a query, and PostgreSQL refuses a NUL in a string with an error, a 500. No URL of
  the app has a control character, so such a path is 404 for every route at once, the
  ones to come included, instead of a check in each converter or view.
- **A body larger than Django takes** (`DATA_UPLOAD_MAX_MEMORY_SIZE`): Django raises
  `RequestDataTooBig` wherever the body is first read (the CSRF middleware, a form, the
  API's parser), which ended as a 400 page, or a 500 from the API. A declared length over
  the limit is answered 413 here, before anything reads it. Multipart bodies (uploads)
  have a limit of their own, `UPLOAD_MAX_REQUEST_BYTES`, checked here the same way, so an
  upload of any size is never written to disk whole before a form refuses it (Django
  reads no more than the declared length); the fields in them are measured by Django as
  it reads them, and what it raises then is 413 through `bad_request`, the project's
  handler400.

Both answer in the form of the part of the site asked: JSON `{"detail": ...}` under
/api/, a page elsewhere.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils import formats
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.csrf import requires_csrf_token

# C0 controls, DEL and the C1 controls: never part of a URL of the app.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def too_large_message(limit: int | None = None) -> str:
    limit_mb = (limit or settings.DATA_UPLOAD_MAX_MEMORY_SIZE) / (1024 * 1024)
    return _("The request is too large: at most %(limit)s MB may be sent at once.") % {
        "limit": formats.number_format(limit_mb, 1)
    }


def not_found_message() -> str:
    # Django's own sentence (its 404 page), translated by Django's catalog.
    return _("The requested resource was not found on this server.")


def request_too_large(request: HttpRequest, limit: int | None = None) -> HttpResponse:
    """413 for `request`: JSON under /api/, a page elsewhere."""
    if is_api(request):
        return JsonResponse({"detail": too_large_message(limit)}, status=413)
    html = loader.render_to_string(
        "request_refused.html",
        {"title": _("Request too large"), "message": too_large_message(limit)},
        request=None,
    )
    return HttpResponse(html, status=413)


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _body_limit(request: HttpRequest) -> int | None:
    if request.content_type == "multipart/form-data":
        return settings.UPLOAD_MAX_REQUEST_BYTES
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


class RequestGuardMiddleware:
    """Right after LocaleMiddleware (so it answers in the request's language) and before
    anything that reads the path or the body: refuses what no later layer should have
    to handle."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if CONTROL_CHARACTERS.search(request.path_info):
            if is_api(request):
                return JsonResponse({"detail": not_found_message()}, status=404)
            # The site's own 404 page, by way of handler404.
            raise Http404(not_found_message())
        limit = _body_limit(request)
        if limit is not None and _declared_length(request) > limit:
            return request_too_large(request, limit)
        return self.get_response(request)


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler400: a body Django found too large while reading it is 413, not 400; a
    bad request under /api/ answers the API's JSON shape."""
    if isinstance(exception, RequestDataTooBig):
        return request_too_large(request)
    if is_api(request):
        return JsonResponse({"detail": _("The request could not be understood.")}, status=400)
    return defaults.bad_request(request, exception)
