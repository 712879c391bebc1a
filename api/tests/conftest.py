"""Fixtures of the API tests: tokens and a client that speaks JSON with a Bearer token."""

import json

import pytest

from api.models import ApiToken


class ApiClient:
    """Django's test client with JSON bodies, a Bearer token and a language."""

    def __init__(self, client, token: str | None, language: str = "en") -> None:
        self.client = client
        self.token = token
        self.language = language

    def _headers(self, extra):
        headers = {"Accept-Language": self.language}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        headers.update(extra or {})
        return headers

    def request(self, method: str, path: str, data=None, headers=None, **kwargs):
        url = path if path.startswith("/") else f"/api/v1/{path}"
        call = getattr(self.client, method)
        if method in ("post", "patch", "put", "delete") and data is not None:
            body = data if isinstance(data, str | bytes) else json.dumps(data)
            return call(
                url,
                data=body,
                content_type="application/json",
                headers=self._headers(headers),
                **kwargs,
            )
        return call(url, data=data, headers=self._headers(headers), **kwargs)

    def get(self, path, params=None, **kw):
        return self.request("get", path, params, **kw)

    def post(self, path, data=None, **kw):
        return self.request("post", path, data if data is not None else {}, **kw)

    def patch(self, path, data=None, **kw):
        return self.request("patch", path, data if data is not None else {}, **kw)

    def delete(self, path, **kw):
        return self.request("delete", path, **kw)

    def as_language(self, language: str) -> "ApiClient":
        return ApiClient(self.client, self.token, language)


def issue_token(user) -> str:
    return ApiToken.issue(user=user, name="tests")[1]


@pytest.fixture
def token(employee):
    return issue_token(employee.user)


@pytest.fixture
def api(client, token):
    """A client of the API authenticated as Anna, an employee with no special rights."""
    return ApiClient(client, token)


@pytest.fixture
def anonymous(client):
    return ApiClient(client, None)


@pytest.fixture
def admin_api(client, admin_user):
    return ApiClient(client, issue_token(admin_user))


@pytest.fixture
def reopener_api(client, reopener):
    return ApiClient(client, issue_token(reopener))
