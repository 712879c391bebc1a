"""The rules of activities, tested through the services."""

import zoneinfo
from datetime import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from activities.models import Activity, ActivityStatus
from activities.services import (
    ActivityInput,
    FollowUp,
    activity_cancel,
    activity_create,
    activity_end,
    activity_reopen,
    activity_update,
    follow_up_schedule,
)
from customers.tests.factories import ContactPersonFactory, CustomerFactory
from dictionaries.models import ActivityCategory, ActivityPriority
from dictionaries.money import Money

WARSAW = zoneinfo.ZoneInfo("Europe/Warsaw")


def meeting_input(customer, contact, employee, **overrides) -> ActivityInput:
    values = {
        "kind": "meeting",
        "subject": "Contract renewal",
        "customer": customer,
        "contact_persons": [contact],
        "employees": [employee],
        "start": datetime(2026, 3, 27, 10, 0, tzinfo=WARSAW),
        "end": datetime(2026, 3, 27, 11, 30, tzinfo=WARSAW),
        "time_zone": "Europe/Warsaw",
        "place": "Warszawa, ul. Prosta 1",
    }
    values.update(overrides)
    return ActivityInput(**values)


def errors_of(exc_info) -> dict:
    return exc_info.value.message_dict


@pytest.mark.django_db
class TestCreate:
    def test_meeting_is_saved_with_defaults(self, customer, contact, employee):
        activity = activity_create(data=meeting_input(customer, contact, employee))

        assert activity.status == ActivityStatus.PLANNED
        assert activity.leader == employee
        assert activity.priority == ActivityPriority.objects.get(is_default=True)
        assert list(activity.contact_persons.all()) == [contact]
        assert activity.start == datetime(2026, 3, 27, 9, 0, tzinfo=zoneinfo.ZoneInfo("UTC"))

    def test_customer_employee_and_contact_person_are_required(self):
        data = ActivityInput(
            kind="meeting",
            subject="X",
            customer=None,
            contact_persons=[],
            employees=[],
            start=datetime(2026, 1, 5, 9, tzinfo=WARSAW),
        )
        with pytest.raises(ValidationError) as exc:
            activity_create(data=data)

        assert set(errors_of(exc)) == {"customer", "contact_persons", "employees"}
        assert Activity.objects.count() == 0

    def test_contact_person_of_another_customer_is_refused(self, customer, employee):
        stranger = ContactPersonFactory(customer=CustomerFactory())
        with pytest.raises(ValidationError) as exc:
            activity_create(data=meeting_input(customer, stranger, employee))
        assert "does not belong to" in errors_of(exc)["contact_persons"][0]

    def test_end_before_start_is_refused(self, customer, contact, employee):
        data = meeting_input(
            customer, contact, employee, end=datetime(2026, 3, 27, 9, 0, tzinfo=WARSAW)
        )
        with pytest.raises(ValidationError) as exc:
            activity_create(data=data)
        assert "end" in errors_of(exc)

    def test_negative_cost_and_unknown_currency_are_refused(self, customer, contact, employee):
        data = meeting_input(
            customer,
            contact,
            employee,
            expected_cost=Money(Decimal("-1"), "PLN"),
            actual_cost=Money(Decimal("10"), "XXX"),
        )
        with pytest.raises(ValidationError) as exc:
            activity_create(data=data)
        assert set(errors_of(exc)) == {"expected_cost", "actual_cost"}

    def test_inactive_category_is_not_offered_for_new_ones(self, customer, contact, employee):
        category = ActivityCategory.objects.first()
        category.is_active = False
        category.save()
        with pytest.raises(ValidationError) as exc:
            activity_create(data=meeting_input(customer, contact, employee, category=category))
        assert "category" in errors_of(exc)

    def test_all_day_runs_from_midnight_to_midnight_after_last_day(
        self, customer, contact, employee
    ):
        data = meeting_input(
            customer,
            contact,
            employee,
            all_day=True,
            end=datetime(2026, 3, 29, 0, 0, tzinfo=WARSAW),
        )
        activity = activity_create(data=data)
        assert activity.local_start == datetime(2026, 3, 27, 0, 0, tzinfo=WARSAW)
        assert activity.local_end == datetime(2026, 3, 30, 0, 0, tzinfo=WARSAW)
        assert activity.last_day.isoformat() == "2026-03-29"


@pytest.mark.django_db
class TestFollowUp:
    def test_follow_up_across_dst_keeps_the_wall_clock_hour(self, customer, contact, employee):
        # 27 March 2026 is a Friday before the clocks move forward on Sunday 29 March.
        activity = activity_create(
            data=meeting_input(customer, contact, employee),
            follow_up=FollowUp(value=2, unit="days"),
        )
        successor = activity.next

        assert successor.local_start == datetime(2026, 3, 29, 10, 0, tzinfo=WARSAW)
        assert successor.local_start.utcoffset().total_seconds() == 7200
        assert successor.duration == activity.duration
        assert successor.previous == activity

    def test_follow_up_in_hours_counts_elapsed_time(self, customer, contact, employee):
        data = meeting_input(
            customer,
            contact,
            employee,
            start=datetime(2026, 3, 29, 1, 0, tzinfo=WARSAW),
            end=datetime(2026, 3, 29, 1, 30, tzinfo=WARSAW),
        )
        activity = activity_create(data=data, follow_up=FollowUp(value=2, unit="hours"))
        assert activity.next.local_start == datetime(2026, 3, 29, 4, 0, tzinfo=WARSAW)

    def test_follow_up_copies_what_the_spec_names(self, customer, contact, employee):
        category = ActivityCategory.objects.first()
        activity = activity_create(
            data=meeting_input(
                customer,
                contact,
                employee,
                category=category,
                in_schedule=True,
                expected_cost=Money(Decimal("120.50"), "EUR"),
                actual_cost=Money(Decimal("99.99"), "PLN"),
            ),
            follow_up=FollowUp(value=1, unit="weeks", kind="contact"),
        )
        successor = activity.next
        assert successor.kind == "contact"
        assert (successor.subject, successor.place, successor.category) == (
            activity.subject,
            activity.place,
            category,
        )
        assert successor.expected_money == Money(Decimal("120.50"), "EUR")
        assert successor.actual_cost is None
        assert successor.status == ActivityStatus.PLANNED
        assert list(successor.contact_persons.all()) == [contact]
        assert list(successor.employees.all()) == [employee]

    def test_follow_up_is_created_once(self, customer, contact, employee):
        activity = activity_create(
            data=meeting_input(customer, contact, employee),
            follow_up=FollowUp(value=2, unit="days"),
        )
        with pytest.raises(ValidationError):
            follow_up_schedule(activity=activity, follow_up=FollowUp(value=3, unit="days"))
        activity_update(activity=activity, data=meeting_input(customer, contact, employee))
        assert Activity.objects.filter(previous=activity).count() == 1
        assert Activity.objects.count() == 2

    def test_follow_up_before_the_meeting_is_refused_and_nothing_saved(
        self, customer, contact, employee
    ):
        with pytest.raises(ValidationError) as exc:
            activity_create(
                data=meeting_input(customer, contact, employee),
                follow_up=FollowUp(at=datetime(2026, 3, 26, 10, 0, tzinfo=WARSAW)),
            )
        assert "follow_up" in errors_of(exc)
        assert Activity.objects.count() == 0


@pytest.mark.django_db
class TestStatus:
    def test_ended_activity_is_read_only_until_reopened(
        self, customer, contact, employee, reopener
    ):
        activity = activity_create(data=meeting_input(customer, contact, employee))
        activity_end(activity=activity, actual_cost=Money(Decimal("80.00"), "PLN"))
        activity.refresh_from_db()
        assert activity.status == ActivityStatus.ENDED
        assert activity.actual_money == Money(Decimal("80.00"), "PLN")

        with pytest.raises(ValidationError):
            activity_update(activity=activity, data=meeting_input(customer, contact, employee))
        with pytest.raises(PermissionError):
            activity_reopen(activity=activity, user=employee.user)

        activity_reopen(activity=activity, user=reopener)
        activity_update(
            activity=activity, data=meeting_input(customer, contact, employee, subject="New")
        )
        activity.refresh_from_db()
        assert activity.subject == "New"

    def test_cancelled_cannot_be_ended(self, customer, contact, employee):
        activity = activity_create(data=meeting_input(customer, contact, employee))
        activity_cancel(activity=activity)
        with pytest.raises(ValidationError):
            activity_end(activity=activity)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("amount", "currency", "message"),
    [
        ("1" * 40 + ".123", "PLN", "too large"),
        ("12.345", "PLN", "at most 2 decimal places"),
        ("100.5", "JPY", None),  # JPY is inactive in the seed: refused as inactive
    ],
)
def test_malformed_amounts_are_refused_per_field(
    customer, contact, employee, amount, currency, message
):
    data = meeting_input(
        customer, contact, employee, expected_cost=Money(Decimal(amount), currency)
    )
    with pytest.raises(ValidationError) as exc:
        activity_create(data=data)
    errors = errors_of(exc)["expected_cost"]
    assert message is None or any(message in e for e in errors)


@pytest.mark.django_db
def test_trailing_zeros_do_not_count_as_decimal_places(customer, contact, employee):
    data = meeting_input(
        customer, contact, employee, expected_cost=Money(Decimal("12.5000"), "PLN")
    )
    assert activity_create(data=data).expected_cost == Decimal("12.50")


@pytest.mark.django_db
def test_inactive_employee_is_refused_for_new_activities_but_stays_on_old_ones(
    customer, contact, employee
):
    activity = activity_create(data=meeting_input(customer, contact, employee))
    employee.is_active = False
    employee.save()

    with pytest.raises(ValidationError) as exc:
        activity_create(data=meeting_input(customer, contact, employee))
    assert "inactive" in errors_of(exc)["employees"][0]

    activity_update(activity=activity, data=meeting_input(customer, contact, employee, subject="B"))
    activity.refresh_from_db()
    assert activity.subject == "B"


@pytest.mark.django_db
def test_inactive_contact_person_is_refused_for_new_activities_but_stays_on_old_ones(
    customer, contact, employee
):
    activity = activity_create(data=meeting_input(customer, contact, employee))
    contact.is_active = False
    contact.save()

    with pytest.raises(ValidationError) as exc:
        activity_create(data=meeting_input(customer, contact, employee))
    assert "inactive" in errors_of(exc)["contact_persons"][0]

    activity_update(activity=activity, data=meeting_input(customer, contact, employee, subject="C"))
    activity.refresh_from_db()
    assert activity.subject == "C"


@pytest.mark.django_db
def test_a_follow_up_of_a_meeting_across_the_clock_change_keeps_its_elapsed_length(
    customer, contact, employee
):
    # 01:30 to 03:30 on the night clocks go forward is one hour, not two.
    start = datetime(2026, 3, 29, 1, 30, tzinfo=WARSAW)
    activity = activity_create(
        data=meeting_input(
            customer,
            contact,
            employee,
            start=start,
            end=datetime(2026, 3, 29, 3, 30, tzinfo=WARSAW),
        ),
        follow_up=FollowUp(value=1, unit="days"),
    )
    assert activity.duration.total_seconds() == 3600
    follow_up = activity.next
    assert follow_up.duration.total_seconds() == 3600
    assert follow_up.local_start == datetime(2026, 3, 30, 1, 30, tzinfo=WARSAW)
