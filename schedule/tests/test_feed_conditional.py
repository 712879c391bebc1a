"""Conditional GET of the calendar feed: an ETag of the body, 304 while it stays the same,
and never 304 once anything the feed shows has changed."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, ActivityStatus
from activities.tests.factories import ActivityFactory, add_participant
from customers.tests.factories import ContactPersonFactory
from dictionaries.models import ActivityCategory
from employees.tests.factories import EmployeeFactory
from schedule import services
from schedule.tests.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _long_feed_window(settings):
    settings.SPOTKANIA_FEED_MONTHS_BACK = 120


@pytest.fixture
def feed(employee):
    return services.calendar_feed_regenerate(employee=employee)


@pytest.fixture
def meeting(employee, customer):
    colleague = EmployeeFactory(first_name="Piotr", last_name="Lis", email="piotr@example.com")
    activity = ActivityFactory(
        subject="Contract renewal",
        customer=customer,
        leader=employee,
        start=at("2026-06-10", 10),
        end=at("2026-06-10", 11),
        category=ActivityCategory.objects.get(name_en="Trade negotiations"),
    )
    add_participant(activity, colleague)
    activity.contact_persons.set([ContactPersonFactory(customer=customer, last_name="Kowalski")])
    return activity


def fetch(client, feed, etag=None, language="en"):
    headers = {"Accept-Language": language}
    if etag is not None:
        headers["If-None-Match"] = etag
    return client.get(reverse("schedule:feed", args=[feed.token]), headers=headers)


def test_the_feed_has_an_etag_and_the_same_etag_gets_304_without_a_body(client, feed, meeting):
    first = fetch(client, feed)
    assert first.status_code == 200
    etag = first["ETag"]
    assert etag.startswith('"') and etag.endswith('"') and len(etag) == 34
    assert fetch(client, feed)["ETag"] == etag  # the same body, the same tag

    again = fetch(client, feed, etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert again["Cache-Control"] == "private, max-age=300"


@pytest.mark.parametrize("sent", ['W/"{}"', '"other", "{}"', "*"])
def test_a_weak_listed_or_any_etag_matches_too(client, feed, meeting, sent):
    etag = fetch(client, feed)["ETag"].strip('"')
    assert fetch(client, feed, sent.format(etag)).status_code == 304


def test_another_etag_gets_the_feed(client, feed, meeting):
    response = fetch(client, feed, '"0123456789abcdef0123456789abcdef"')
    assert response.status_code == 200
    assert b"Contract renewal" in response.content


def edit_subject(meeting, employee):
    meeting.subject = "Contract signed"
    meeting.save()


def cancel(meeting, employee):
    meeting.status = ActivityStatus.CANCELLED
    meeting.save()


def delete(meeting, employee):
    meeting.delete()


def add_activity(meeting, employee):
    ActivityFactory(leader=employee, start=at("2026-07-01", 9))


def add_another_participant(meeting, employee):
    add_participant(meeting, EmployeeFactory(first_name="Ewa", last_name="Nowa"))


def remove_participant(meeting, employee):
    meeting.participations.exclude(employee=employee).delete()


def rename_colleague(meeting, employee):
    # A rename leaves no trace on the activity: no version, no time of change.
    colleague = meeting.employees.exclude(pk=employee.pk).get()
    colleague.last_name = "Lisowski"
    colleague.save()


def rename_contact_person(meeting, employee):
    meeting.contact_persons.update(first_name="Janusz")


def remove_contact_person(meeting, employee):
    meeting.contact_persons.clear()


def rename_customer(meeting, employee):
    meeting.customer.name = "Hydro-Tech S.A."
    meeting.customer.save()


def rename_category(meeting, employee):
    ActivityCategory.objects.filter(pk=meeting.category_id).update(name_en="Negotiations")


def rename_feed_owner(meeting, employee):
    employee.first_name = "Anastazja"
    employee.save()


def leave_schedule(meeting, employee):
    Activity.objects.get(pk=meeting.pk).participations.filter(employee=employee).update(
        in_schedule=False
    )


@pytest.mark.parametrize(
    "change",
    [
        edit_subject,
        cancel,
        delete,
        add_activity,
        add_another_participant,
        remove_participant,
        rename_colleague,
        rename_contact_person,
        remove_contact_person,
        rename_customer,
        rename_category,
        rename_feed_owner,
        leave_schedule,
    ],
)
def test_after_any_change_the_old_etag_gets_the_new_feed(client, employee, feed, meeting, change):
    before = fetch(client, feed)
    change(meeting, employee)
    after = fetch(client, feed, before["ETag"])
    assert after.status_code == 200
    assert after.content != before.content
    assert after["ETag"] != before["ETag"]


def test_the_window_moving_on_changes_the_etag(client, employee, feed, settings):
    settings.SPOTKANIA_FEED_MONTHS_BACK = 3
    ActivityFactory(leader=employee, start=timezone.now() - timedelta(days=60))
    before = fetch(client, feed)
    settings.SPOTKANIA_FEED_MONTHS_BACK = 1  # as if a month had gone by
    after = fetch(client, feed, before["ETag"])
    assert after.status_code == 200
    assert b"BEGIN:VEVENT" in before.content and b"BEGIN:VEVENT" not in after.content


def test_each_language_has_its_own_etag(client, feed, meeting):
    english = fetch(client, feed, language="en")
    polish = fetch(client, feed, english["ETag"], language="pl")
    assert polish.status_code == 200
    assert polish["ETag"] != english["ETag"]
    assert fetch(client, feed, polish["ETag"], language="pl").status_code == 304


def test_a_revoked_token_answers_404_whatever_the_etag(client, employee, feed, meeting):
    etag = fetch(client, feed)["ETag"]
    services.calendar_feed_revoke(employee=employee)
    assert fetch(client, feed, etag).status_code == 404
