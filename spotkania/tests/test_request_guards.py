"""Malformed requests of issue 16: credential checks counted whatever the body looks like,
bodies of undeclared types refused (415), bodies over the limit refused (413), control
characters in paths refused (404).

Each test would have caught its defect: the token request with a multipart type and no
boundary had its password checked but its failure not counted; a body over Django's
limit answered 400 (pages) or 500 (API); a NUL in a path segment answered 500 on
PostgreSQL.
"""

import json

import pytest
from axes.models import AccessAttempt
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from spotkania.tests.conftest import PASSWORD


def failures() -> int:
    return sum(AccessAttempt.objects.values_list("failures_since_start", flat=True))


def token_request(client, password, content_type, body=None, ip="10.0.0.1"):
    body = body if body is not None else json.dumps({"username": "ola", "password": password})
    return client.post("/api/v1/auth/token", data=body, content_type=content_type, REMOTE_ADDR=ip)


# --- credential checks and content types ---------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    [
        "multipart/form-data",  # no boundary: the reported bypass
        "multipart/form-data; boundary=xyz",
        "application/x-www-form-urlencoded",
        "text/plain",
        "application/xml",
        "application/json; charset=latin-1",
        "",
    ],
)
def test_token_request_of_another_type_is_415_and_never_checks_the_password(
    client, ola, throttled, content_type
):
    for _ in range(5):
        response = token_request(client, PASSWORD, content_type)
        assert response.status_code == 415, response.content
        assert response["Content-Type"].startswith("application/json")
        assert "application/json" in response.json()["detail"]
        assert "token" not in response.json()
    # Five wrong-typed requests never reached the password: nothing to count.
    assert failures() == 0


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/json; charset=utf-8", "application/vnd.api+json"],
)
def test_json_token_requests_still_work(client, ola, throttled, content_type):
    response = token_request(client, PASSWORD, content_type)
    assert response.status_code == 200
    assert response.json()["token"]


def test_failures_are_counted_and_lock_whatever_else_the_request_carries(client, ola, throttled):
    """The failure recorder reads the request as a form: a body it cannot parse must not
    keep a checked password from being counted (spotkania.throttling)."""
    from django.contrib.auth import authenticate
    from django.test import RequestFactory

    request = RequestFactory().post(
        "/api/v1/auth/token", data=b"--x\r\ngarbage", content_type="multipart/form-data"
    )
    request.META["REMOTE_ADDR"] = "10.0.0.3"
    for _ in range(3):
        assert authenticate(request, username="ola", password="wrong") is None
    assert failures() == 3
    assert getattr(request, "axes_locked_out", False)
    # The pair is now locked for the API whatever the request looks like.
    assert token_request(client, PASSWORD, "application/json", ip="10.0.0.3").status_code == 429


def test_every_endpoint_with_a_body_refuses_other_types(client, employee):
    from api.tests.conftest import issue_token

    headers = {"Authorization": f"Bearer {issue_token(employee.user)}"}
    for method, path in [("post", "/api/v1/customers"), ("patch", "/api/v1/customers/1")]:
        response = getattr(client, method)(
            path, data="name=x", content_type="application/x-www-form-urlencoded", headers=headers
        )
        assert response.status_code == 415, (path, response.content)


def test_415_speaks_polish(client, ola):
    response = client.post(
        "/api/v1/auth/token",
        data="{}",
        content_type="text/plain",
        headers={"Accept-Language": "pl"},
    )
    assert response.status_code == 415
    assert "musi być" in response.json()["detail"]


# --- bodies over the limit ------------------------------------------------------------


@pytest.fixture
def production_client(settings):
    settings.DEBUG = False
    return Client(raise_request_exception=False)


def test_api_body_over_the_limit_is_413_json(production_client, ola, settings):
    body = b'{"username": "' + b"x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE + b'"}'
    for path in ("/api/v1/auth/token", "/api/v1/customers"):
        response = production_client.post(
            path, data=body, content_type="application/json", headers={"Accept-Language": "en"}
        )
        assert response.status_code == 413, response.content
        assert response["Content-Type"].startswith("application/json")
        assert "at most 2.5 MB" in response.json()["detail"]
    polish = production_client.post(path, data=body, content_type="application/json")
    assert "najwyżej 2,5 MB" in polish.json()["detail"]


def test_page_body_over_the_limit_is_a_413_page(production_client, employee, settings):
    production_client.force_login(employee.user)
    production_client.cookies["django_language"] = "pl"
    body = "notes=" + "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    response = production_client.post(
        reverse("activities:create"), data=body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    assert "Zbyt duże żądanie" in response.content.decode()


def test_multipart_fields_over_the_limit_are_413_too(production_client, employee, settings):
    """Multipart bodies are measured by Django as it reads them (their files do not count
    against the limit): what it raises becomes 413 through handler400."""
    production_client.force_login(employee.user)
    response = production_client.post(
        reverse("activities:create"),
        data={"notes": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)},
    )
    assert response.status_code == 413


def test_an_upload_over_its_limit_is_413_before_anything_is_read(
    production_client, admin_user, settings, tmp_path, monkeypatch
):
    """The declared length decides: nothing of the body is read, so no temporary file is
    written (an import of a 1 GB file would have been stored whole before its form
    refused it)."""
    settings.UPLOAD_MAX_REQUEST_BYTES = 1024 * 1024
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # any file read would go to tmp_path
    production_client.force_login(admin_user)
    production_client.cookies["django_language"] = "en"
    upload = SimpleUploadedFile("big.csv", b"a,b\n" * 400_000)  # 1.6 MB
    response = production_client.post(
        reverse("imports:page"), {"kind": "customers", "file": upload}
    )
    assert response.status_code == 413
    assert "at most 1.0 MB" in response.content.decode()
    assert list(tmp_path.iterdir()) == []


def test_an_upload_under_its_limit_reaches_its_form(production_client, admin_user, settings):
    settings.UPLOAD_MAX_REQUEST_BYTES = 1024 * 1024
    production_client.force_login(admin_user)
    upload = SimpleUploadedFile("small.csv", b"code,name\n")
    response = production_client.post(
        reverse("imports:page"), {"kind": "customers", "file": upload}
    )
    assert response.status_code == 200


def test_a_body_under_the_limit_goes_through(client, ola):
    response = token_request(client, PASSWORD, "application/json")
    assert response.status_code == 200


# --- control characters in paths ----------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/schedule/feed/abc%00.ics",
        "/schedule/feed/abc%0A.ics",
        "/configuration/currencies/P%00N/rates/",
        "/customers/%01/",
        "/accounts/login/%7F",
    ],
)
def test_control_characters_in_a_page_path_are_404(production_client, admin_user, path):
    production_client.force_login(admin_user)
    response = production_client.get(path)
    assert response.status_code == 404


@pytest.mark.parametrize(
    "path", ["/api/v1/currencies/P%00N/rates", "/api/v1/customers%00", "/api/v1/auth/token%1F"]
)
def test_control_characters_in_an_api_path_are_404_json(client, admin_user, path):
    from api.tests.conftest import issue_token

    response = client.get(path, headers={"Authorization": f"Bearer {issue_token(admin_user)}"})
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]


def test_paths_with_polish_letters_still_resolve(logged_in):
    # Only control characters are refused, not every character beyond ASCII.
    assert logged_in.get("/customers/?q=%C5%BC%C3%B3%C5%82w").status_code == 200


# --- no shape of request guesses passwords uncounted --------------------------------


def _shapes(username: str, password: str) -> dict[str, tuple[bytes, str]]:
    from django.test.client import BOUNDARY, encode_multipart

    # Not the test client's own constant, which it takes as "encode this dict".
    multipart = f"multipart/form-data; boundary={BOUNDARY}"

    fields = {"username": username, "password": password}
    form = f"username={username}&password={password}"
    return {
        "json": (json.dumps(fields).encode(), "application/json"),
        "form": (form.encode(), "application/x-www-form-urlencoded"),
        "multipart": (encode_multipart(BOUNDARY, fields), multipart),
        "multipart without boundary": (json.dumps(fields).encode(), "multipart/form-data"),
        "broken multipart": (b"--" + BOUNDARY.encode() + b"\r\ngarbage", multipart),
        "text": (json.dumps(fields).encode(), "text/plain"),
        "form in latin-1": (
            form.encode(),
            "application/x-www-form-urlencoded; charset=latin-1",
        ),
        "form with invalid utf-8": (
            form.encode() + b"&x=\xff\xfe",
            "application/x-www-form-urlencoded",
        ),
    }


CREDENTIAL_CHECKS = ["/accounts/login/", "/admin/login/", "/api/v1/auth/token"]


def _succeeded(path: str, response) -> bool:
    if path.startswith("/api/"):
        return response.status_code == 200 and "token" in response.json()
    return response.status_code == 302 and "_auth_user_id" in response.wsgi_request.session


@pytest.mark.parametrize("path", CREDENTIAL_CHECKS)
@pytest.mark.parametrize(
    "shape",
    list(_shapes("u", "p")),
)
def test_no_request_shape_lets_passwords_be_guessed_uncounted(throttled, ola, path, shape):
    """After as many wrong passwords as the limit allows, sent in one shape, the right
    password in the same shape does not get in: the shape is either refused before any
    check or counted. The multipart request without a boundary got a token (issue 16)."""
    ola.is_staff = True
    ola.save()
    client = Client(raise_request_exception=False)
    for _ in range(3):
        body, content_type = _shapes("ola", "wrong")[shape]
        client.post(path, data=body, content_type=content_type, REMOTE_ADDR="10.0.0.5")
    body, content_type = _shapes("ola", PASSWORD)[shape]
    response = client.post(path, data=body, content_type=content_type, REMOTE_ADDR="10.0.0.5")
    assert not _succeeded(path, response), response.status_code
    assert response.status_code < 500
    # The same client may still log in properly from elsewhere: nothing else broke.
    good, good_type = _shapes("ola", PASSWORD)["json" if path.startswith("/api/") else "form"]
    other = client.post(path, data=good, content_type=good_type, REMOTE_ADDR="10.0.0.6")
    assert _succeeded(path, other), other.status_code
