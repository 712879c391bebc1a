"""Invitations by e-mail: REQUEST on create and move, CANCEL on cancel, after commit."""

import pytest
import vobject
from django.core import mail
from django.urls import reverse

from activities.models import Activity, ActivityStatus
from activities.tests.factories import ActivityFactory
from activities.tests.test_pages import form_data
from schedule.tests.conftest import at

pytestmark = pytest.mark.django_db

BROKEN = "schedule.tests.conftest.BrokenBackend"


@pytest.fixture(autouse=True)
def _locmem(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def invitation(message):
    """The METHOD and the event of the calendar attached to a message."""
    (_name, content, mimetype) = message.attachments[0]
    calendar = vobject.readOne(content.decode() if isinstance(content, bytes) else content)
    return mimetype, calendar.method.value, calendar.vevent


def create(client, customer, contact, employee, **extra):
    data = form_data(customer, contact, employee, **extra)
    return client.post(reverse("activities:create"), data)


# A real commit (not the test's wrapping transaction): the user is told about the
# invitations in the same request, as in production.
REAL_COMMITS = pytest.mark.django_db(transaction=True)


@REAL_COMMITS
def test_new_meeting_invites_employees_and_contacts_with_email(
    logged_in, customer, contact, employee
):
    response = create(logged_in, customer, contact, employee, send_invitations="on")
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([employee.email, contact.email])
    mimetype, method, event = invitation(mail.outbox[0])
    assert "method=REQUEST" in mimetype
    assert method == "REQUEST"
    assert event.uid.value == f"activity-{activity.pk}@spotkania.local"
    assert event.sequence.value == "1"
    assert "Contract renewal" in mail.outbox[0].subject
    page = logged_in.get(response["Location"]).content.decode()
    assert "Invitations sent to" in page


def test_without_the_checkbox_nothing_is_sent(
    logged_in, customer, contact, employee, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        create(logged_in, customer, contact, employee)
    assert Activity.objects.count() == 1
    assert mail.outbox == []


def test_nothing_is_sent_before_the_commit(
    logged_in, customer, contact, employee, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        create(logged_in, customer, contact, employee, send_invitations="on")
    assert mail.outbox == []
    assert len(callbacks) == 1


def test_a_person_without_email_is_skipped(
    logged_in, customer, contact, employee, django_capture_on_commit_callbacks
):
    contact.email = ""
    contact.save()
    with django_capture_on_commit_callbacks(execute=True):
        create(logged_in, customer, contact, employee, send_invitations="on")
    assert [m.to for m in mail.outbox] == [[employee.email]]


def test_moving_sends_the_update_with_a_higher_sequence(
    logged_in, employee, django_capture_on_commit_callbacks
):
    activity = ActivityFactory(leader=employee, start=at("2026-03-25", 10))
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in.post(
            reverse("schedule:move", args=[activity.pk]),
            {"start": "2026-03-26T10:00:00Z", "send_invitations": "1"},
        )
    assert response.status_code == 200
    activity.refresh_from_db()
    recipients = {m.to[0] for m in mail.outbox}
    assert recipients == {employee.email, activity.contact_persons.get().email}
    _, method, event = invitation(mail.outbox[0])
    assert method == "REQUEST"
    assert event.sequence.value == str(activity.version) == "2"
    assert event.dtstart.value == at("2026-03-26", 10)


def test_an_edit_that_does_not_move_sends_nothing(
    logged_in, employee, django_capture_on_commit_callbacks
):
    activity = ActivityFactory(
        leader=employee, start=at("2026-03-25", 10), time_zone="Europe/Warsaw"
    )
    data = form_data(
        activity.customer,
        activity.contact_persons.get(),
        employee,
        subject="Renamed",
        start="2026-03-25T10:00",
        end="2026-03-25T11:00",
        place="",
        send_invitations="on",
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in.post(reverse("activities:edit", args=[activity.pk]), data)
    assert response.status_code == 302
    assert mail.outbox == []


def test_cancelling_sends_cancel_with_the_same_uid(
    logged_in, employee, django_capture_on_commit_callbacks
):
    activity = ActivityFactory(leader=employee, start=at("2026-03-25", 10))
    with django_capture_on_commit_callbacks(execute=True):
        logged_in.post(reverse("activities:cancel", args=[activity.pk]), {"send_invitations": "1"})
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.CANCELLED
    mimetype, method, event = invitation(mail.outbox[0])
    assert "method=CANCEL" in mimetype
    assert method == "CANCEL"
    assert event.uid.value == f"activity-{activity.pk}@spotkania.local"
    assert event.status.value == "CANCELLED"
    assert event.sequence.value == "2"


@REAL_COMMITS
def test_a_failing_mail_server_does_not_lose_the_save(
    logged_in, customer, contact, employee, settings, caplog
):
    settings.EMAIL_BACKEND = BROKEN
    response = create(logged_in, customer, contact, employee, send_invitations="on")
    assert response.status_code == 302
    assert Activity.objects.count() == 1
    page = logged_in.get(response["Location"]).content.decode()
    assert "the invitations could not be sent" in page
    assert "SMTP server unreachable" in page
    assert "Invitations for activity" in caplog.text


def test_detail_page_offers_to_notify_on_cancel(logged_in, employee):
    activity = ActivityFactory(leader=employee)
    body = logged_in.get(activity.get_absolute_url()).content.decode()
    assert 'id="cancel-send-invitations"' in body and "checked" in body


def test_internal_notes_stay_out_of_invitations_but_not_the_feed(
    logged_in, customer, contact, employee, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        create(
            logged_in,
            customer,
            contact,
            employee,
            send_invitations="on",
            notes="INTERNAL: max discount 15%",
        )
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        _mimetype, _method, event = invitation(message)
        assert "INTERNAL" not in event.description.value
    activity = Activity.objects.get()
    download = logged_in.get(reverse("schedule:activity_ics", args=[activity.pk]))
    assert b"INTERNAL: max discount 15%" in download.content
