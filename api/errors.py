"""One shape for every error the API answers, in the language of the request.

    {"detail": "<a sentence>", "errors": {"<field>": ["<message>", ...]}}

`detail` is always there; `errors` comes with 400 and 422 and names every offending field
(nested fields joined with dots: `expected_cost.amount`, `follow_up.in.value`; a problem
of the request as a whole is under `__all__`). Messages reuse the sentences of the pages
and of Django itself, so they are translated wherever the pages are.
"""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError, InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from api.parser import UnsupportedMediaType
from spotkania.faults import database_unavailable
from spotkania.guards import request_too_large
from spotkania.versions import StaleVersion, etag

ERROR_DESCRIPTION = (
    'Errors answer `{"detail": "<sentence>", "errors": {"<field>": ["<message>"]}}` '
    "in the language of `Accept-Language` (pl or en); `errors` comes with 400 and 422 "
    "and names every offending field."
)


class ApiValidationError(Exception):
    """Per-field problems found by an endpoint itself (an unknown id in the body, say)."""

    def __init__(self, errors: dict[str, list[str]], status: int = 422) -> None:
        self.errors = errors
        self.status = status
        super().__init__(errors)


class Conflict(Exception):
    """The request is valid but the state of the data refuses it (409)."""

    def __init__(self, message: str) -> None:
        self.message = str(message)
        super().__init__(self.message)


class Forbidden(Exception):
    def __init__(self, message: str | None = None) -> None:
        self.message = str(message) if message else None
        super().__init__(self.message)


class NotFound(Exception):
    """An unknown id in the path (404)."""

    def __init__(self, model) -> None:
        self.model = model
        super().__init__(model.__name__)


def get_or_404(queryset_or_model, pk):
    model = getattr(queryset_or_model, "model", queryset_or_model)
    try:
        manager = getattr(queryset_or_model, "objects", queryset_or_model)
        return manager.get(pk=pk)
    except model.DoesNotExist:
        raise NotFound(model) from None


def not_found_message(model=None) -> str:
    name = model._meta.verbose_name if model is not None else "object"
    return _("No %(verbose_name)s found matching the query") % {"verbose_name": name}


def invalid_message(count: int = 2) -> str:
    return ngettext("Please correct the error below.", "Please correct the errors below.", count)


def _pydantic_message(error: dict) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind == "null_character":
        return _("Null characters are not allowed.")
    if kind == "api_message":
        return str(ctx.get("message", ""))
    if kind == "string_too_long":
        # The length comes from api.schemas.Text, which knows the value: ninja removes
        # `input` from the errors it hands over (api/tests/test_length_messages.py
        # holds every bounded string of the API to it).
        limit = int(ctx["max_length"])
        shown = ctx.get("actual_length", len(error.get("input") or ""))
        return ngettext(
            "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
            "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
            limit,
        ) % {"limit_value": limit, "show_value": int(shown)}
    if kind == "too_long":  # a list: pydantic counts its items itself
        limit = int(ctx["max_length"])
        return ngettext(
            "Ensure this list has at most %(limit_value)d item (it has %(show_value)d).",
            "Ensure this list has at most %(limit_value)d items (it has %(show_value)d).",
            limit,
        ) % {"limit_value": limit, "show_value": int(ctx["actual_length"])}
    if kind in ("greater_than_equal", "greater_than"):
        limit = ctx.get("ge", ctx.get("gt"))
        return _("Ensure this value is greater than or equal to %(limit_value)s.") % {
            "limit_value": limit
        }
    if kind in ("less_than_equal", "less_than"):
        limit = ctx.get("le", ctx.get("lt"))
        return _("Ensure this value is less than or equal to %(limit_value)s.") % {
            "limit_value": limit
        }
    if kind.startswith("int_"):
        return _("Enter a whole number.")
    if kind.startswith(("decimal_", "float_")):
        return _("Enter a number.")
    if kind.startswith(("datetime_", "timezone_")):
        return _("Enter a valid date/time.")
    if kind.startswith("date_"):
        return _("Enter a valid date.")
    if kind in ("literal_error", "enum"):
        return _("Select a valid choice. That choice is not one of the available choices.")
    return _("Enter a valid value.")


def _field_name(loc: list | tuple) -> str:
    # ninja's locations start with where the value came from and, for a body, the name of
    # the parameter: ("body", "payload", "follow_up", "in", "value").
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie", "form"):
        source = parts.pop(0)
        if source == "body" and parts:
            parts.pop(0)
    return ".".join(parts) or "__all__"


def pydantic_errors(errors: list[dict]) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for error in errors:
        field = _field_name(error.get("loc", ()))
        message = _pydantic_message(error)
        messages = result.setdefault(field, [])
        if message not in messages:
            messages.append(message)
    return result


def django_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
    return {"__all__": [str(m) for m in exc.messages]}


def install(api) -> None:
    """Registers the handlers that turn exceptions into the documented error shape."""

    def respond(request: HttpRequest, status: int, detail: str, errors=None) -> HttpResponse:
        body: dict = {"detail": detail}
        if errors is not None:
            body["errors"] = errors
        response = api.create_response(request, body, status=status)
        if status == 401:
            response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    @api.exception_handler(NinjaValidationError)
    def on_schema_error(request, exc):
        errors = pydantic_errors(exc.errors)
        return respond(request, 422, invalid_message(len(errors)), errors)

    @api.exception_handler(ApiValidationError)
    def on_api_validation_error(request, exc):
        return respond(request, exc.status, invalid_message(len(exc.errors)), exc.errors)

    @api.exception_handler(DjangoValidationError)
    def on_service_validation_error(request, exc):
        errors = django_errors(exc)
        return respond(request, 422, invalid_message(len(errors)), errors)

    @api.exception_handler(AuthenticationError)
    def on_unauthenticated(request, exc):
        return respond(request, 401, "Authentication required: send Authorization: Bearer <token>.")

    @api.exception_handler(HttpError)
    def on_http_error(request, exc):
        if isinstance(exc.__cause__, UnsupportedMediaType):
            return respond(request, 415, exc.__cause__.message)
        if exc.status_code == 400:
            # The only 400 ninja raises itself: a body that is not JSON.
            errors = {"__all__": [_("Enter a valid JSON.")]}
            return respond(request, 400, invalid_message(1), errors)
        return respond(request, exc.status_code, str(exc))

    @api.exception_handler(RequestDataTooBig)
    def on_too_large(request, exc):
        return request_too_large(request)

    @api.exception_handler(Forbidden)
    def on_forbidden(request, exc):
        return respond(request, 403, exc.message or _("Forbidden"))

    @api.exception_handler(PermissionError)
    def on_permission_error(request, exc):
        return respond(request, 403, str(exc) or _("Forbidden"))

    @api.exception_handler(Conflict)
    def on_conflict(request, exc):
        return respond(request, 409, exc.message)

    @api.exception_handler(StaleVersion)
    def on_stale_version(request, exc):
        body = {
            "detail": exc.message,
            "version": exc.current_version,
            "changes": [change.as_dict() for change in exc.changes],
        }
        response = api.create_response(request, body, status=409)
        response["ETag"] = etag(exc.current_version)
        return response

    @api.exception_handler(OperationalError)
    @api.exception_handler(InterfaceError)
    def on_database_fault(request, exc):
        # The database restarted or a connection died: 503, logged; the next request
        # reconnects by itself (spotkania/faults.py).
        return database_unavailable(request, exc)

    @api.exception_handler(IntegrityError)
    def on_integrity_error(request, exc):
        # A rule the services check was broken by a simultaneous request in between.
        return respond(request, 409, invalid_message(1))

    @api.exception_handler(DataError)
    def on_data_error(request, exc):
        return respond(request, 422, invalid_message(1), {"__all__": [_("Enter a valid value.")]})

    @api.exception_handler(NotFound)
    def on_not_found(request, exc):
        return respond(request, 404, not_found_message(exc.model))

    @api.exception_handler(Http404)
    def on_http404(request, exc):
        return respond(request, 404, not_found_message())

    @api.exception_handler(ObjectDoesNotExist)
    def on_does_not_exist(request, exc):
        return respond(request, 404, not_found_message())
