"""Fixtures shared by every app's tests."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group, Permission
from django.utils import translation

from customers.tests.factories import ContactPersonFactory, CustomerFactory
from employees.tests.factories import EmployeeFactory, UserFactory


@pytest.fixture(autouse=True)
def _dictionaries_after_flush(request):
    """A transaction=True test ends with a flush that empties every table, also what the
    data migrations seeded (priorities, categories, currencies); the next such test finds
    them again here. (serialized_rollback would collide with the content types that the
    flush re-creates, so it is not used.)"""
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or (
        marker is not None and marker.kwargs.get("transaction")
    )
    if transactional:
        request.getfixturevalue("transactional_db")
        from dictionaries.models import ActivityPriority

        if not ActivityPriority.objects.exists():
            seed = importlib.import_module("dictionaries.migrations.0002_seed_dictionaries")
            seed.seed(django_apps, None)
        from django.contrib.auth.models import Group

        if not Group.objects.exists():
            from employees.roles import ensure_role_groups

            ensure_role_groups(django_apps)


@pytest.fixture(autouse=True)
def _english(settings):
    """Services speak the active language; a test that reads their messages reads English
    unless it asks for Polish, whatever ran before it in the same thread."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True, scope="session")
def _own_throttle_folder(tmp_path_factory):
    """The throttle cache's files (spotkania/deployment.py) in a folder of this run, not
    the host's shared one: a server or another test run on the machine counts there."""
    from django.conf import settings
    from django.test import override_settings

    caches = {**settings.CACHES}
    if caches["throttle"]["BACKEND"].endswith("FileBasedCache"):
        caches["throttle"] = {
            **caches["throttle"],
            "LOCATION": str(tmp_path_factory.mktemp("throttle")),
        }
    with override_settings(CACHES=caches):
        yield


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with nothing kept: the cache (tokens, dictionaries) outlives the
    test's rolled-back transaction, and a count of queries must not depend on the order
    of the tests."""
    from django.core.cache import caches

    caches["default"].clear()
    caches["throttle"].clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests create many users; a real password hash costs ~0.3 s each on this machine."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def user(db):
    return UserFactory(username="anna")


@pytest.fixture
def employee(user):
    return EmployeeFactory(user=user, first_name="Anna", last_name="Nowak")


@pytest.fixture
def admin_user(db):
    return UserFactory(username="boss", is_staff=True, is_superuser=True)


@pytest.fixture
def reopener(db):
    """A user allowed to reopen any ended activity: an administrator (the group holds the
    permission; a manager holds it too, for their teams' activities)."""
    u = UserFactory(username="manager")
    u.user_permissions.add(Permission.objects.get(codename="reopen_activity"))
    u.groups.add(Group.objects.get(name="administrator"))
    return u


@pytest.fixture
def logged_in(client, employee):
    """A client logged in as an employee, speaking English unless a test asks for Polish."""
    client.force_login(employee.user)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def customer(db):
    return CustomerFactory(name="Hydro-Tech Sp. z o.o.")


@pytest.fixture
def contact(customer):
    return ContactPersonFactory(customer=customer, first_name="Jan", last_name="Kowalski")


@pytest.fixture(autouse=True)
def _api_answers_are_documented(monkeypatch):
    """Every answer of the API that a test sees is one the OpenAPI document declares for
    its operation (api/tests/contract.py)."""
    from django.test import Client

    from api.tests.contract import Recorder

    recorder = Recorder()
    monkeypatch.setattr(Client, "request", recorder.wrap(Client.request))
    yield
    assert not recorder.problems, "\n".join(recorder.problems)
