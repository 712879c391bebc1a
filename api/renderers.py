"""How the API writes JSON, and a way for a hot endpoint to answer without re-validating.

`Renderer` writes with orjson: a list page of 25 activities took the standard library's
encoder 0.19 ms, orjson 0.06 ms. The values are written as before: dates, times and
decimals still go through ninja's encoder (Django's formats: milliseconds, `Z` for UTC);
only insignificant whitespace differs, and non-ASCII text is written as UTF-8 rather than
as \\u escapes (the answers say charset=utf-8).

Ninja validates what a view returns against the operation's response schema before
rendering it. For the activity list that took 0.9 ms a page (25 rows of 22 fields through
ninja's per-object wrapper), as long as its three queries. Its rows are built from typed
columns by `api.endpoints.activities`, and a test checks them against the schema and the
detail, so the list renders them directly with `json_response`.
"""

from __future__ import annotations

import orjson
from django.http import HttpResponse
from ninja.renderers import BaseRenderer
from ninja.responses import NinjaJSONEncoder

_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS


class Renderer(BaseRenderer):
    media_type = "application/json"
    charset = "utf-8"

    def __init__(self) -> None:
        self._default = NinjaJSONEncoder().default

    def render(self, request, data, *, response_status: int) -> bytes:
        return orjson.dumps(data, default=self._default, option=_OPTIONS)


renderer = Renderer()


def json_response(request, data, *, status: int = 200) -> HttpResponse:
    """`data` rendered as every answer of the API is, not checked against a schema."""
    return HttpResponse(
        renderer.render(request, data, response_status=status),
        status=status,
        content_type=f"{renderer.media_type}; charset={renderer.charset}",
    )
