"""The API's body parser: JSON, and only when the request says it is JSON.

ninja parses a body as JSON whatever its Content-Type. So `POST /auth/token` with
`multipart/form-data` (and no boundary) had its password checked while django-axes, which
reads the same request as a form to record a failure, could not parse it: the failure
was never counted (issue 16). Every endpoint's body is declared `application/json` in the
OpenAPI document; a body of any other type is now refused with 415 before the endpoint
sees it, for every endpoint with a body, the ones to come included.

ninja wraps whatever the parser raises into a 400 `HttpError`; `api.errors` turns one
caused by `UnsupportedMediaType` into the 415 answer.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.parser import Parser

JSON_MEDIA_TYPE = "application/json"


class UnsupportedMediaType(Exception):
    def __init__(self, content_type: str) -> None:
        self.content_type = content_type
        super().__init__(content_type)

    @property
    def message(self) -> str:
        return _("The body must be %(expected)s (Content-Type), not %(given)s.") % {
            "expected": JSON_MEDIA_TYPE,
            "given": self.content_type or "-",
        }


def is_json(request: HttpRequest) -> bool:
    """`application/json` or a `+json` type, in UTF-8 (RFC 8259) when a charset is named."""
    media_type = (request.content_type or "").lower()
    if media_type != JSON_MEDIA_TYPE and not (
        media_type.startswith("application/") and media_type.endswith("+json")
    ):
        return False
    charset = (request.content_params or {}).get("charset", "utf-8").lower()
    return charset in ("utf-8", "utf8")


class JsonParser(Parser):
    def parse_body(self, request: HttpRequest):
        if not is_json(request):
            raise UnsupportedMediaType(request.META.get("CONTENT_TYPE", ""))
        return super().parse_body(request)
