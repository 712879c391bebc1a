"""Issue 16, item 10: a checked file waits at most an hour for "Import now"; abandoned
files are removed by the next request of the page, a confirmation takes its file away
whatever follows, and a late "Import now" answers a message, not an error."""

import os
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from customers.models import Customer
from customers.tests.factories import CustomerFactory
from imports import pending

pytestmark = pytest.mark.django_db
URL = "/configuration/import/"
SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "customers.csv"
EXPIRED = "The checked file is no longer kept (files wait 60 minutes for “Import now”)"


def check(client):
    upload = SimpleUploadedFile("customers.csv", SAMPLE.read_bytes())
    response = client.post(URL, {"kind": "customers", "action": "check", "file": upload})
    assert response.context["pending"] is not None
    return response.context["pending"]["token"]


def age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_an_abandoned_check_is_removed_by_a_later_request_after_an_hour(
    admin_client, pending_folder
):
    check(admin_client)
    (abandoned,) = pending_folder.iterdir()
    age(abandoned, pending.PENDING_MAX_AGE + 60)
    waiting = pending_folder / f"{'0' * 32}.csv"  # someone else's, checked a minute ago
    waiting.write_bytes(b"code,name\n")
    age(waiting, 60)

    assert admin_client.get(URL).status_code == 200

    assert list(pending_folder.iterdir()) == [waiting]


def test_import_now_after_an_hour_answers_a_message_and_imports_nothing(
    admin_client, pending_folder
):
    token = check(admin_client)
    (path,) = pending_folder.iterdir()
    age(path, pending.PENDING_MAX_AGE + 1)

    response = admin_client.post(URL, {"action": "confirm", "token": token}, follow=True)

    assert response.status_code == 200
    assert EXPIRED in response.content.decode()
    assert not Customer.objects.filter(code="IMP001").exists()
    assert not path.exists()


def test_an_expired_file_is_not_taken_even_before_a_sweep(pending_folder):
    token = pending.pending_store(content=b"code,name\n", suffix=".csv")
    (path,) = pending_folder.iterdir()
    age(path, pending.PENDING_MAX_AGE + 1)
    assert pending.pending_take(token=token, suffix=".csv") is None
    assert not path.exists()


def test_the_message_is_in_polish_for_a_polish_user(admin_client, pending_folder):
    admin_client.cookies["django_language"] = "pl"
    token = check(admin_client)
    (path,) = pending_folder.iterdir()
    age(path, pending.PENDING_MAX_AGE + 1)
    response = admin_client.post(URL, {"action": "confirm", "token": token}, follow=True)
    assert "Sprawdzony plik nie jest już przechowywany" in response.content.decode()


def test_a_new_check_replaces_the_file_of_the_previous_one(admin_client, pending_folder):
    first = check(admin_client)
    second = check(admin_client)
    assert [p.name for p in pending_folder.iterdir()] == [f"{second}.csv"]
    assert first != second


def test_the_file_is_removed_after_the_import(admin_client, pending_folder):
    token = check(admin_client)
    assert admin_client.post(URL, {"action": "confirm", "token": token}).status_code == 302
    assert Customer.objects.filter(code="IMP001").exists()
    assert list(pending_folder.iterdir()) == []


def test_the_file_is_removed_when_the_import_fails(admin_client, pending_folder):
    token = check(admin_client)
    CustomerFactory(code="IMP001")  # the data changed since the check
    response = admin_client.post(URL, {"action": "confirm", "token": token})
    assert response.status_code == 200 and not response.context["report"].committed
    assert list(pending_folder.iterdir()) == []


def test_a_stale_page_confirmed_removes_the_file_the_session_held(admin_client, pending_folder):
    check(admin_client)
    response = admin_client.post(URL, {"action": "confirm", "token": "f" * 32}, follow=True)
    assert "nothing is waiting to be imported" in response.content.decode()
    assert list(pending_folder.iterdir()) == []
