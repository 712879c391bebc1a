"""The profile page: time zone preference and API tokens, through HTTP."""

import pytest
from django.urls import reverse

from api.models import ApiToken, hash_token
from employees.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_profile_needs_login(client):
    response = client.get(reverse("employees:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_time_zone_is_saved_and_used_on_pages(logged_in, employee):
    response = logged_in.post(reverse("employees:profile"), {"time_zone": "America/New_York"})
    assert response.status_code == 302
    employee.refresh_from_db()
    assert employee.time_zone == "America/New_York"
    page = logged_in.get(reverse("employees:profile"))
    assert page.context["TIME_ZONE"] == "America/New_York"


def test_unknown_time_zone_is_refused_on_the_field(logged_in, employee):
    response = logged_in.post(reverse("employees:profile"), {"time_zone": "Mars/Olympus"})
    assert response.status_code == 200
    assert response.context["preferences"].errors["time_zone"]
    employee.refresh_from_db()
    assert employee.time_zone == "Europe/Warsaw"


def test_token_is_shown_once_and_opens_the_api(logged_in, employee):
    first = logged_in.post(reverse("employees:token_create"), {"name": "Web shop"})
    raw = first.context["new_token"]
    assert raw and raw in first.content.decode()
    token = ApiToken.objects.get(user=employee.user)
    assert token.key_hash == hash_token(raw) and token.name == "Web shop"

    again = logged_in.get(reverse("employees:profile"))
    assert again.context["new_token"] is None
    assert raw not in again.content.decode()

    api = logged_in.get("/api/v1/customers", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.status_code == 200
    session = logged_in.session
    assert raw not in str(dict(session.items()))


def test_revoked_token_no_longer_opens_the_api(logged_in, employee):
    token, raw = ApiToken.issue(user=employee.user, name="phone")
    client = logged_in.__class__()
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get("/api/v1/customers", **bearer).status_code == 200  # lookup cached
    logged_in.post(reverse("employees:token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.is_revoked
    assert client.get("/api/v1/customers", **bearer).status_code == 401, "at once, not in 5 s"


def test_another_users_token_cannot_be_revoked(logged_in):
    token, _raw = ApiToken.issue(user=UserFactory(username="other"))
    response = logged_in.post(reverse("employees:token_revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert not token.is_revoked


def test_user_without_employee_sees_the_profile_without_preferences(client):
    client.force_login(UserFactory(username="solo"))
    response = client.get(reverse("employees:profile"))
    assert response.status_code == 200
    assert response.context["employee"] is None


def test_password_change_page_uses_the_site_layout(logged_in):
    response = logged_in.get(reverse("password_change"))
    assert response.status_code == 200
    assert "registration/password_change_form.html" in [t.name for t in response.templates]
    assert b"navbar" in response.content
