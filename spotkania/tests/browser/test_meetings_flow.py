"""A salesperson's day in a real browser: customer, contact, meeting with a follow-up
and a cost, the customer's "All activities" tab, ending the meeting, form errors, Polish."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from stdnum.pl import nip

from activities.models import Activity
from customers.models import Customer
from employees.tests.factories import EmployeeFactory, UserFactory
from spotkania.tests.browser.people import PASSWORD, log_in

# The live server needs committed data (the root conftest re-seeds the dictionaries).
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def salesperson(transactional_db):
    user = UserFactory(username="ewa", password=PASSWORD)
    return EmployeeFactory(user=user, first_name="Ewa", last_name="Lis")


def test_plan_a_meeting_with_follow_up_and_end_it(page, salesperson, shot):
    log_in(page)
    shot("01-activities")

    # A customer with a valid NIP, typed the way people write it.
    page.goto("/customers/new/")
    page.fill("#id_code", "HT01")
    page.fill("#id_name", "Hydro-Tech Sp. z o.o.")
    number = "5260250274"
    assert nip.is_valid(number)
    page.fill("#id_tax_id", nip.format(number))
    page.get_by_role("button", name="Save").click()
    expect(page.locator("h1")).to_contain_text("Hydro-Tech")
    customer = Customer.objects.get(code="HT01")
    assert customer.tax_id == number

    page.get_by_role("link", name="Add contact person").click()
    page.fill("#id_first_name", "Jan")
    page.fill("#id_last_name", "Kowalski")
    page.fill("#id_email", "jan.kowalski@hydro-tech.example")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("cell", name="Jan Kowalski")).to_be_visible()
    shot("02-customer")

    # New meeting from the customer's page: the customer is already chosen.
    page.get_by_role("link", name="New meeting").click()
    expect(page.locator("h1")).to_have_text("New meeting")
    page.fill("#id_subject", "Contract renewal")
    # Tomorrow 10:00-11:30: within the schedule's 06:00-22:00 hours at any time of day.
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    page.fill("#id_start", f"{tomorrow}T10:00")
    page.fill("#id_end", f"{tomorrow}T11:30")
    page.get_by_label("Jan Kowalski").check()
    page.get_by_label("Schedule the next contact/meeting in").check()
    page.fill("#id_follow_up_value", "2")
    page.select_option("#id_follow_up_unit", "days")
    page.fill("#id_expected_cost", "120,50")
    shot("03-meeting-form")
    page.locator("#save-button").click()

    expect(page.locator(".alert-success")).to_be_visible()
    meeting = Activity.objects.get(subject="Contract renewal", previous__isnull=True)
    follow_up = meeting.next
    assert str(meeting.expected_cost) == "120.50"
    assert (follow_up.local_start - meeting.local_start).days == 2
    assert follow_up.local_start.time() == meeting.local_start.time()
    shot("04-meeting-detail")

    # Both are on the customer's "All activities" tab.
    page.goto(customer.get_absolute_url())
    rows = page.locator("#activity-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="Contract renewal")).to_have_count(2)

    # And in the employee's schedule: the week of the meeting shows its calendar event.
    assert meeting.in_schedule
    week = meeting.local_start.date().isoformat()
    page.goto(f"/schedule/employee/{salesperson.pk}/?date={week}&view=timeGridWeek")
    event = page.locator(".fc-event", has_text="Contract renewal").first
    expect(event).to_be_visible()
    shot("08-schedule-week")

    # End the meeting with its actual cost; it becomes read-only.
    page.goto(meeting.get_absolute_url())
    page.locator("#end-button").click()
    expect(page.locator("#activity-status, .badge").first).to_contain_text("Ended")
    meeting.refresh_from_db()
    assert meeting.status == "ended"
    page.goto(f"/activities/{meeting.pk}/edit/")
    expect(page.locator("#save-button")).to_have_count(0)
    expect(page.locator("#id_subject")).to_be_disabled()
    shot("05-ended-read-only")


def test_missing_required_fields_are_shown_per_field_then_fixed(page, salesperson, shot):
    customer = Customer.objects.create(code="B01", name="Bałtyk Logistyka")
    customer.contact_persons.create(first_name="Anna", last_name="Zielińska")
    log_in(page)

    page.goto("/activities/new/?kind=meeting")
    page.fill("#id_subject", "First visit")
    page.locator("#save-button").click()
    expect(page.get_by_text("Choose the customer.")).to_be_visible()
    expect(page.get_by_text("Choose at least one contact person.")).to_be_visible()
    shot("06-form-errors")
    assert Activity.objects.count() == 0

    # Choosing the customer in the searchable select loads its contact persons (htmx).
    page.locator(".ts-control").first.click()
    page.keyboard.type("Bałtyk")
    page.locator(".ts-dropdown .option", has_text="Bałtyk Logistyka").click()
    page.get_by_label("Anna Zielińska").check()
    page.locator("#save-button").click()
    expect(page.locator(".alert-success")).to_be_visible()
    assert Activity.objects.get().contact_persons.get().last_name == "Zielińska"


def test_polish_labels_after_switching_language(page, salesperson, shot):
    log_in(page)
    page.locator("button[name=language][value=pl]").click()
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    expect(page.locator("nav.navbar")).to_contain_text("Działania CRM")
    expect(page.locator("nav.navbar")).to_contain_text("Kontrahenci")
    page.goto("/activities/new/?kind=meeting")
    expect(page.locator("h1")).to_have_text("Nowe spotkanie")
    form = page.locator("#activity-form")
    expect(form).to_contain_text("Kolejny kontakt/spotkanie ustaw za")
    expect(form).to_contain_text("Dodaj do terminarza pracownika")
    expect(form).to_contain_text("Spodziewane koszty")
    expect(form.locator("#save-button")).to_contain_text("Zapisz")
    shot("07-polish-form")
