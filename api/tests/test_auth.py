import time

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activities.tests.factories import ActivityFactory
from api import auth
from api.models import ApiToken, hash_token
from employees.roles import ADMINISTRATOR

pytestmark = pytest.mark.django_db


def test_token_is_issued_for_correct_credentials_and_stored_hashed(anonymous, employee):
    response = anonymous.post("auth/token", {"username": "anna", "password": "secret-pass-123"})
    assert response.status_code == 200
    raw = response.json()["token"]
    stored = ApiToken.objects.get(user=employee.user)
    assert stored.key_hash == hash_token(raw)
    assert raw not in {stored.key_hash, stored.prefix}


def test_wrong_password_answers_401(anonymous, employee):
    response = anonymous.post("auth/token", {"username": "anna", "password": "wrong"})
    assert response.status_code == 401
    assert response.json()["detail"]
    assert not ApiToken.objects.exists()


def test_inactive_user_gets_no_token(anonymous, employee):
    employee.user.is_active = False
    employee.user.save()
    response = anonymous.post("auth/token", {"username": "anna", "password": "secret-pass-123"})
    assert response.status_code == 401


def test_token_request_without_fields_names_them(anonymous, db):
    response = anonymous.post("auth/token", {})
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"username", "password"}


def test_malformed_json_answers_400(anonymous, db):
    response = anonymous.post("auth/token", "{not json")
    assert response.status_code == 400
    assert response.json()["errors"]["__all__"]


@pytest.mark.parametrize(
    "path", ["customers", "employees", "activities", "currencies", "dictionaries/priorities"]
)
def test_endpoints_answer_401_json_without_token_never_a_login_redirect(anonymous, path):
    response = anonymous.get(path)
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["detail"]


def test_unknown_token_answers_401(anonymous, db):
    anonymous.token = "spk_not-a-token"
    assert anonymous.get("customers").status_code == 401


def test_revoked_token_stops_working(api, token):
    # The first request puts the token's lookup in the cache; revoking drops it at once.
    assert api.get("customers").status_code == 200
    assert api.delete("auth/token").status_code == 204
    assert ApiToken.objects.get(key_hash=hash_token(token)).revoked_at is not None
    assert api.get("customers").status_code == 401


def test_use_is_recorded(api, token):
    api.get("currencies")
    assert ApiToken.objects.get(key_hash=hash_token(token)).last_used_at is not None


def test_a_known_token_is_not_looked_up_again(api):
    api.get("currencies")
    with CaptureQueriesContext(connection) as queries:
        assert api.get("currencies").status_code == 200
    assert not any("api_apitoken" in q["sql"] for q in queries)


def test_token_revoked_elsewhere_stops_working_once_its_lookup_expires(api, token, monkeypatch):
    """The admin revokes without the API: the cached lookup lets the token in for at most
    TOKEN_CACHE_SECONDS more (here shortened to 1 s). (The profile page forgets it.)"""
    monkeypatch.setattr(auth, "TOKEN_CACHE_SECONDS", 1)
    assert api.get("currencies").status_code == 200
    ApiToken.objects.get(key_hash=hash_token(token)).revoke()
    assert api.get("currencies").status_code == 200  # still the cached lookup
    time.sleep(1.1)
    assert api.get("currencies").status_code == 401


def test_token_of_user_deactivated_meanwhile_stops_working_once_its_lookup_expires(
    api, employee, monkeypatch
):
    monkeypatch.setattr(auth, "TOKEN_CACHE_SECONDS", 1)
    assert api.get("currencies").status_code == 200
    employee.user.is_active = False
    employee.user.save()
    time.sleep(1.1)
    assert api.get("currencies").status_code == 401


def test_role_and_team_are_looked_up_with_the_token(api):
    ActivityFactory()
    api.get("activities")
    with CaptureQueriesContext(connection) as queries:
        assert api.get("activities").status_code == 200
    assert not any("auth_group" in q["sql"] or "employees_team" in q["sql"] for q in queries)


def test_a_new_role_reaches_the_api_once_the_lookup_expires(api, user, monkeypatch):
    monkeypatch.setattr(auth, "TOKEN_CACHE_SECONDS", 1)
    others = ActivityFactory()  # led by another employee: not Anna's to see
    assert api.get(f"activities/{others.pk}").status_code == 404
    user.groups.add(Group.objects.get(name=ADMINISTRATOR))
    assert api.get(f"activities/{others.pk}").status_code == 404  # still the cached lookup
    time.sleep(1.1)
    assert api.get(f"activities/{others.pk}").status_code == 200


def test_cached_lookup_keeps_no_password_hash(api, token):
    api.get("currencies")
    cached = cache.get(auth._cache_key(hash_token(token)))
    assert cached is not None and cached.user.username == "anna"
    assert "password" in cached.user.get_deferred_fields()


def test_token_of_deactivated_user_stops_working(api, employee):
    employee.user.is_active = False
    employee.user.save()
    assert api.get("customers").status_code == 401


def test_createsuperuser_noinput_gives_an_admin_of_every_endpoint(anonymous, monkeypatch, db):
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "root")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "root-pass-987")
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "root@example.com")
    call_command("createsuperuser", interactive=False, verbosity=0)
    response = anonymous.post("auth/token", {"username": "root", "password": "root-pass-987"})
    assert response.status_code == 200
    anonymous.token = response.json()["token"]
    created = anonymous.post("dictionaries/categories", {"name_pl": "Serwis", "name_en": "Service"})
    assert created.status_code == 201
    assert anonymous.post("employees", {"first_name": "Ewa", "last_name": "Lis"}).status_code == 201


def test_openapi_and_docs_are_served_without_a_token_and_without_a_cdn(anonymous, db):
    document = anonymous.get("/api/v1/openapi.json")
    assert document.status_code == 200
    assert document.json()["info"]["title"] == "Spotkania API"
    docs = anonymous.get("/api/v1/docs")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "http://" not in html and "https://" not in html
