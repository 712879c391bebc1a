"""Database faults answer 503, not a stack trace.

When the database restarts or a connection dies, a request in flight gets an
OperationalError or InterfaceError. Pages then answer a plain 503 page (rendered without
touching the database: no user, no session, no menu) and the API a 503 JSON
`{"detail": ...}`; both say to try again, with `Retry-After`, and the error is logged.
The next request opens a new connection by itself (CONN_HEALTH_CHECKS in settings).

`DatabaseFaultMiddleware` catches what views raise (in debug mode too); `server_error`,
the project's handler500, catches the rest (a middleware reaching the database, e.g. the
session) when DEBUG is off, as in production.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger("spotkania.faults")

DATABASE_FAULTS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5


def unavailable_message() -> str:
    return _("The database is not available right now. Nothing was saved; try again in a moment.")


def database_unavailable(request, exc: BaseException) -> HttpResponse:
    """The 503 answer for `request`: JSON under /api/, the 503 page elsewhere."""
    logger.error(
        "Database unavailable during %s %s: %s",
        request.method,
        request.path,
        exc,
        exc_info=(type(exc), exc, exc.__traceback__),
    )
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": unavailable_message()}, status=503)
    else:
        html = loader.render_to_string(
            "503.html", {"title": _("Temporarily unavailable"), "message": unavailable_message()}
        )
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseFaultMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_FAULTS):
            return database_unavailable(request, exception)
        return None


@requires_csrf_token
def server_error(request, *args, **kwargs):
    """handler500: a database fault anywhere in the request is a 503; the rest a plain 500."""
    exc = sys.exc_info()[1]
    if isinstance(exc, DATABASE_FAULTS):
        return database_unavailable(request, exc)
    try:
        html = loader.render_to_string("500.html")
    except Exception:
        html = "<h1>Server Error (500)</h1>"
    return HttpResponseServerError(html)
