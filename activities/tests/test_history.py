"""Change history (issue 6): who changed what and when, recorded from the pages and the
API alike and shown on the activity, customer and dictionary entry pages."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse

from activities.models import Activity, Participation
from activities.services import (
    activity_cancel,
    activity_create,
    activity_end,
    activity_reopen,
    activity_update,
)
from activities.tests.factories import ActivityFactory
from activities.tests.test_services import WARSAW, meeting_input
from api.tests.conftest import ApiClient, issue_token
from customers.tests.factories import CustomerFactory
from dictionaries.models import ActivityCategory
from employees.tests.factories import EmployeeFactory


@pytest.mark.django_db
def test_an_api_patch_is_recorded_with_the_token_user_and_shown_on_the_page(
    client, employee, logged_in
):
    activity = ActivityFactory(leader=employee, subject="Offer", place="Biuro")
    api = ApiClient(client, issue_token(employee.user))

    response = api.patch(f"activities/{activity.pk}", {"subject": "Final offer"})

    assert response.status_code == 200
    latest = activity.history.latest()
    assert latest.history_user == employee.user
    assert latest.history_type == "~"
    logged_in.force_login(employee.user)
    html = logged_in.get(reverse("activities:detail", args=[activity.pk])).content.decode()
    assert 'id="change-history"' in html
    assert "Offer</del> → <ins>Final offer</ins>" in html
    assert "Anna Nowak" in html


@pytest.mark.django_db
def test_a_page_save_is_recorded_with_its_user_labels_translated(logged_in, employee):
    customer = CustomerFactory(name="Hydro")

    response = logged_in.post(
        reverse("customers:update", args=[customer.pk]),
        {
            "code": customer.code,
            "name": "Hydro-Tech",
            "tax_id": customer.tax_id,
            "address": customer.address,
            "email": customer.email,
            "phone": customer.phone,
            "is_active": "on",
            "version": customer.version,
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    latest = customer.history.latest()
    assert latest.history_user == employee.user
    logged_in.cookies["django_language"] = "pl"
    html = logged_in.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert "Historia zmian" in html or "Change history" in html
    assert "Hydro</del> → <ins>Hydro-Tech</ins>" in html
    assert "Nazwa" in html


@pytest.mark.django_db
def test_a_dictionary_rename_is_shown_on_the_entry_page(admin_client, admin_user):
    entry = ActivityCategory.objects.create(name_pl="Stara", name_en="Old", position=99)
    url = reverse("dictionaries:edit", args=["categories", entry.pk])

    admin_client.post(url, {"name_pl": "Nowa", "name_en": "New"})

    assert entry.history.latest().history_user == admin_user
    html = admin_client.get(url).content.decode()
    assert "Old</del> → <ins>New</ins>" in html


@pytest.mark.django_db
def test_a_change_of_participants_is_shown_by_name(client, employee, logged_in):
    activity = ActivityFactory(leader=employee, subject="Offer")
    colleague = EmployeeFactory(first_name="Piotr", last_name="Zieliński")
    api = ApiClient(client, issue_token(employee.user))

    response = api.patch(f"activities/{activity.pk}", {"employees": [employee.pk, colleague.pk]})

    assert response.status_code == 200
    logged_in.force_login(employee.user)
    html = logged_in.get(reverse("activities:detail", args=[activity.pk])).content.decode()
    changes = html[html.index('id="change-history"') :]
    assert "Employees" in changes
    assert "Anna Nowak, Piotr Zieliński" in changes


@pytest.mark.django_db
def test_a_save_and_its_participants_make_one_entry(customer, contact, employee):
    from activities.services import FollowUp, activity_create, activity_update
    from activities.tests.test_services import meeting_input

    activity = activity_create(
        data=meeting_input(customer, contact, employee),
        follow_up=FollowUp(value=2, unit="days"),
    )
    created = activity.history.get()
    assert created.history_type == "+"
    assert [e.employee_id for e in created.employees.all()] == [employee.pk]
    assert [p.contactperson_id for p in created.contact_persons.all()] == [contact.pk]
    follow_up = activity.next
    assert follow_up.history.count() == 1
    assert [e.employee_id for e in follow_up.history.get().employees.all()] == [employee.pk]

    colleague = EmployeeFactory()
    activity_update(
        activity=activity,
        data=meeting_input(customer, contact, employee, employees=[employee, colleague]),
    )
    assert activity.history.count() == 2
    changed = activity.history.latest()
    assert changed.history_type == "~"
    assert {e.employee_id for e in changed.employees.all()} == {employee.pk, colleague.pk}


# What a link's history copy holds besides its ids: the activity's copied columns.
LINK_COLUMNS = ("employee_id", "customer_id", "start", "end", "in_schedule", "kind", "status")


def links_now(activity) -> set:
    return set(Participation.objects.filter(activity=activity).values_list(*LINK_COLUMNS))


def links_in_latest_entry(activity) -> set:
    return set(activity.history.latest().employees.values_list(*LINK_COLUMNS))


@pytest.mark.django_db
def test_the_latest_entry_records_the_links_as_each_service_left_them(
    customer, contact, employee, reopener
):
    # An entry's copies of the links say what the links held after that change: a copy
    # taken before Activity.save() brought the links' start, status... up to date would
    # show the previous ones next to the new activity.
    activity = activity_create(data=meeting_input(customer, contact, employee))
    later = datetime(2026, 4, 2, 14, tzinfo=WARSAW)
    activity_update(
        activity=activity,
        data=meeting_input(
            customer,
            contact,
            employee,
            employees=[employee, EmployeeFactory()],
            start=later,
            end=later + timedelta(hours=1),
        ),
    )
    assert links_in_latest_entry(activity) == links_now(activity)

    for change, status in [
        (lambda: activity_end(activity=activity), "ended"),
        (lambda: activity_reopen(activity=activity, user=reopener), "planned"),
        (lambda: activity_cancel(activity=activity), "cancelled"),
    ]:
        entries = activity.history.count()
        change()
        assert activity.history.count() == entries + 1
        assert {link[-1] for link in links_now(activity)} == {status}
        assert links_in_latest_entry(activity) == links_now(activity), status


@pytest.mark.django_db
def test_a_plain_save_records_the_links_as_it_left_them():
    # The admin (which may change in_schedule) and any other code that saves the model.
    activity = Activity.objects.get(pk=ActivityFactory().pk)
    activity.in_schedule = False
    activity.save()
    assert {link[4] for link in links_in_latest_entry(activity)} == {False}
    assert links_in_latest_entry(activity) == links_now(activity)
