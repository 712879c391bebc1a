"""Every answer the tests see from the API, compared with the OpenAPI document.

The document is the API's contract: a client generated from it handles the statuses it
lists. Issue 16 found answers it did not list (400 on /auth/token, 403 on DELETE of
customers and contact persons, 413, 415). The root conftest records each response that
Django's test client receives from /api/v1/ in every test of the suite and fails the
test whose answer the document does not declare for that path and method. Paths that
are no operation of the document (a typo, a control character appended) are not
checked: they are no operation's answer.
"""

from __future__ import annotations

import functools
import re
from urllib.parse import unquote, urlsplit

PREFIX = "/api/v1/"


@functools.cache
def _operations() -> list[tuple[re.Pattern, dict]]:
    from api.api import api

    document = api.get_openapi_schema()
    operations = []
    for template, methods in document["paths"].items():
        pattern = re.escape(template)
        pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", pattern)
        operations.append((re.compile(f"^{pattern}$"), methods))
    return operations


def undocumented(method: str, path: str, status: int) -> str | None:
    """A sentence naming the answer if the document does not declare it, else None."""
    path = unquote(urlsplit(path).path)
    if not path.startswith(PREFIX) or path.startswith(f"{PREFIX}docs"):
        return None
    for pattern, methods in _operations():
        if pattern.match(path):
            operation = methods.get(method.lower())
            if operation is None:
                return None  # 405: no operation of the document
            declared = {int(code) for code in operation["responses"]}
            if status in declared:
                return None
            return f"{method} {path} answered {status}, not in the document {sorted(declared)}"
    return None


class Recorder:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def wrap(self, request_method):
        recorder = self

        @functools.wraps(request_method)
        def request(client, **environ):
            response = request_method(client, **environ)
            problem = undocumented(
                environ.get("REQUEST_METHOD", "GET"),
                environ.get("PATH_INFO", ""),
                response.status_code,
            )
            if problem:
                recorder.problems.append(problem)
            return response

        return request
