"""The copies an activity keeps for speed: its employees' links carry its times,
customer, kind and status (Participation) and it stores its start date in its own zone
(local_start_date). Whoever saves it, the copies follow; the schedule, the conflict
check, the customer's page and the cost report read them, so a stale copy would be a
wrong answer, not a slow one."""

import zoneinfo
from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activities.models import Activity, Participation
from activities.selectors import overlapping_activity_ids, participations_overlapping
from activities.services import (
    activity_cancel,
    activity_create,
    activity_end,
    activity_reopen,
    activity_update,
)
from activities.tests.factories import ActivityFactory, add_participant
from activities.tests.test_services import meeting_input
from customers.tests.factories import ContactPersonFactory, CustomerFactory
from employees.tests.factories import EmployeeFactory
from schedule.selectors import schedule_activities
from schedule.services import activity_reschedule

WARSAW = zoneinfo.ZoneInfo("Europe/Warsaw")
CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


def copies(activity: Activity) -> set:
    return set(
        Participation.objects.filter(activity=activity).values_list(
            "employee_id",
            "customer_id",
            "start",
            "end",
            "in_schedule",
            "kind",
            "status",
            "long_running",
        )
    )


def expected(activity: Activity, *employees) -> set:
    activity.refresh_from_db()
    times = Participation.copies_of(activity)
    return {(e.pk, *times.values()) for e in employees}


@pytest.mark.django_db
class TestParticipationCopies:
    def test_created_edited_moved_and_rescheduled_activities_keep_their_links_in_step(
        self, customer, contact, employee
    ):
        activity = activity_create(data=meeting_input(customer, contact, employee))
        assert copies(activity) == expected(activity, employee)

        colleague = EmployeeFactory()
        later = datetime(2026, 4, 2, 14, tzinfo=WARSAW)
        activity_update(
            activity=activity,
            data=meeting_input(
                customer,
                contact,
                employee,
                employees=[employee, colleague],
                start=later,
                end=later + timedelta(hours=2),
                in_schedule=False,
            ),
        )
        assert copies(activity) == expected(activity, employee, colleague)
        assert {c[4] for c in copies(activity)} == {False}

        activity_reschedule(
            activity=activity,
            start=later + timedelta(days=1),
            end=later + timedelta(days=1, hours=1),
            all_day=False,
        )
        assert copies(activity) == expected(activity, employee, colleague)
        assert activity.start == later + timedelta(days=1)

        activity_update(
            activity=activity,
            data=meeting_input(
                customer, contact, colleague, start=later, end=later + timedelta(hours=1)
            ),
        )
        assert copies(activity) == expected(activity, colleague), "a removed employee's link goes"

    def test_ending_cancelling_reopening_and_a_new_kind_reach_the_links(
        self, customer, contact, employee, reopener
    ):
        # The customer's page counts what an employee may see per kind and status from
        # the links' copies (activities.selectors.activity_counts).
        activity = activity_create(data=meeting_input(customer, contact, employee))
        colleague = EmployeeFactory()
        activity_update(
            activity=activity,
            data=meeting_input(customer, contact, employee, employees=[employee, colleague]),
        )
        activity_end(activity=activity)
        assert copies(activity) == expected(activity, employee, colleague)
        assert {c[6] for c in copies(activity)} == {"ended"}

        activity_reopen(activity=activity, user=reopener)
        assert {c[6] for c in copies(activity)} == {"planned"}
        activity_cancel(activity=activity)
        assert {c[6] for c in copies(activity)} == {"cancelled"}

        reloaded = Activity.objects.get(pk=activity.pk)
        reloaded.kind = "task"
        reloaded.save(update_fields=["kind"])
        assert copies(activity) == expected(activity, employee, colleague)
        assert {c[5] for c in copies(activity)} == {"task"}

    def test_a_plain_save_of_new_times_also_updates_the_links(self):
        # The admin and any other code that saves the model directly.
        activity = ActivityFactory()
        activity.start -= timedelta(days=3)
        activity.in_schedule = False
        activity.save()
        assert copies(activity) == expected(activity, activity.leader)

        reloaded = Activity.objects.get(pk=activity.pk)
        reloaded.end += timedelta(days=10)
        reloaded.save(update_fields=["end"])
        assert copies(activity) == expected(activity, activity.leader)
        assert Participation.objects.get(activity=activity).long_running

    def test_an_activity_moved_to_another_customer_takes_its_links_along(
        self, customer, contact, employee
    ):
        # The customer's page finds what an employee may see through the links' copy.
        activity = activity_create(data=meeting_input(customer, contact, employee))
        other = CustomerFactory()
        other_contact = ContactPersonFactory(customer=other)
        activity_update(activity=activity, data=meeting_input(other, other_contact, employee))
        assert copies(activity) == expected(activity, employee)
        assert Participation.objects.get(activity=activity).customer_id == other.pk

        reloaded = Activity.objects.get(pk=activity.pk)
        reloaded.customer = customer
        reloaded.save(update_fields=["customer"])
        assert Participation.objects.get(activity=activity).customer_id == customer.pk

    def test_a_save_of_some_fields_copies_only_what_it_wrote(self):
        # A change left out of update_fields is neither written to the links nor taken as
        # saved: the next full save still carries it to the links.
        activity = Activity.objects.get(pk=ActivityFactory().pk)
        first_customer = activity.customer_id
        other = CustomerFactory()
        activity.customer = other
        activity.start -= timedelta(hours=1)
        activity.save(update_fields=["start"])
        link = Participation.objects.get(activity=activity)
        assert (link.customer_id, link.start) == (first_customer, activity.start)
        assert Activity.objects.get(pk=activity.pk).customer_id == first_customer

        activity.save()
        assert Participation.objects.get(activity=activity).customer_id == other.pk
        assert copies(activity) == expected(activity, activity.leader)

    def test_a_save_without_new_times_writes_no_link(self):
        activity = Activity.objects.get(pk=ActivityFactory().pk)
        activity.subject = "Renamed"
        with CaptureQueriesContext(connection) as queries:
            activity.save()
        updates = [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]
        assert updates and not [sql for sql in updates if "activities_participation" in sql]

    def test_a_save_after_a_refresh_compares_with_what_was_reloaded(self):
        # Given an activity read, then moved by another save (its links follow it)
        activity = Activity.objects.get(pk=ActivityFactory().pk)
        first_start = activity.start
        elsewhere = Activity.objects.get(pk=activity.pk)
        elsewhere.start -= timedelta(hours=2)
        elsewhere.save()
        # when it is reloaded and moved back to where it was first read
        activity.refresh_from_db()
        activity.start = first_start
        activity.save()
        # then the links move back too: the start saved is the reloaded one
        assert Participation.objects.get(activity=activity).start == first_start
        assert copies(activity) == expected(activity, activity.leader)

    def test_a_refresh_of_some_fields_takes_only_those_as_saved(self):
        activity = Activity.objects.get(pk=ActivityFactory().pk)
        first_start, first_end = activity.start, activity.end
        elsewhere = Activity.objects.get(pk=activity.pk)
        elsewhere.start -= timedelta(hours=2)
        elsewhere.end -= timedelta(hours=2)
        elsewhere.save()
        other = CustomerFactory()
        activity.customer = other  # changed in memory, neither saved nor reloaded

        activity.refresh_from_db(fields=["start", "end"])
        activity.start, activity.end = first_start, first_end
        activity.save(update_fields=["start", "end"])
        link = Participation.objects.get(activity=activity)
        assert (link.start, link.end) == (first_start, first_end)

        # The customer was not reloaded: the one saved is still the first, so the
        # new one is a change the next save carries to the links.
        activity.save()
        assert Participation.objects.get(activity=activity).customer_id == other.pk
        assert copies(activity) == expected(activity, activity.leader)

    def test_copies_loaded_one_by_one_are_not_taken_as_saved(self):
        # A read that left the copies out loads each on first use (refresh_from_db):
        # by then others may have been changed in memory, so none is known as saved.
        activity = Activity.objects.only("subject").get(pk=ActivityFactory().pk)
        activity.start -= timedelta(hours=1)
        activity.save()
        assert copies(activity) == expected(activity, activity.leader)

    def test_a_refresh_from_a_queryset_that_leaves_copies_out_takes_none_as_saved(self):
        activity = Activity.objects.get(pk=ActivityFactory().pk)
        activity.start -= timedelta(hours=1)  # in memory: the reload leaves it so
        activity.refresh_from_db(from_queryset=Activity.objects.defer("start"))
        activity.save()
        assert copies(activity) == expected(activity, activity.leader)


@pytest.mark.django_db
class TestOverlapping:
    """Found by start within SHORT_SPAN before the range, or by the long-running flag."""

    def test_short_and_long_activities_that_reach_into_the_range_are_found(self):
        worker = EmployeeFactory()
        monday = datetime(2026, 11, 23, tzinfo=WARSAW)

        def planned(start, length):
            activity = ActivityFactory(leader=worker, start=start, end=start + length)
            return activity.pk

        inside = planned(monday + timedelta(days=1, hours=10), timedelta(hours=1))
        six_days = planned(monday - timedelta(days=5), timedelta(days=6))
        ten_days = planned(monday - timedelta(days=9), timedelta(days=10))
        months = planned(monday - timedelta(days=60), timedelta(days=90))
        before = planned(monday - timedelta(days=8), timedelta(hours=1))
        touching = planned(monday - timedelta(hours=1), timedelta(hours=1))
        after = planned(monday + timedelta(days=7), timedelta(hours=1))
        ActivityFactory(start=monday + timedelta(hours=9))  # someone else's

        found = set(
            participations_overlapping(
                employee_ids=[worker.pk], start=monday, end=monday + timedelta(days=7)
            ).values_list("activity_id", flat=True)
        )
        assert found == {inside, six_days, ten_days, months}
        assert not {before, touching, after} & found
        # The same rule as two ranges (for an IN).
        ranges = overlapping_activity_ids(
            employee_ids=[worker.pk], start=monday, end=monday + timedelta(days=7)
        )
        assert sorted(ranges.values_list("activity_id", flat=True)) == sorted(found)

        week = schedule_activities(
            employee_ids=[worker.pk], start=monday, end=monday + timedelta(days=7)
        )
        assert {a.pk for a in week} == found

    def test_an_added_participant_sees_the_activity_in_their_week(self):
        activity = ActivityFactory(start=datetime(2026, 11, 24, 10, tzinfo=WARSAW))
        colleague = EmployeeFactory()
        add_participant(activity, colleague)
        monday = datetime(2026, 11, 23, tzinfo=WARSAW)
        week = schedule_activities(
            employee_ids=[colleague.pk], start=monday, end=monday + timedelta(days=7)
        )
        assert [a.pk for a in week] == [activity.pk]


@pytest.mark.django_db
class TestLocalStartDate:
    def test_the_date_is_the_one_of_the_activitys_own_zone(self, customer, contact, employee):
        # 23:30 in Chicago on 31 January is already 1 February in UTC and in Warsaw.
        start = datetime(2026, 1, 31, 23, 30, tzinfo=CHICAGO)
        activity = activity_create(
            data=meeting_input(
                customer,
                contact,
                employee,
                start=start,
                end=start + timedelta(minutes=30),
                time_zone="America/Chicago",
            )
        )
        assert activity.local_start_date == date(2026, 1, 31)
        activity.refresh_from_db()
        assert activity.local_start_date == date(2026, 1, 31)

    def test_it_follows_a_new_start_or_zone(self):
        activity = ActivityFactory(start=datetime(2026, 3, 1, 23, 30, tzinfo=WARSAW))
        assert activity.local_start_date == date(2026, 3, 1)
        activity.time_zone = "America/Chicago"
        activity.save(update_fields=["time_zone"])
        activity.refresh_from_db()
        assert activity.local_start_date == date(2026, 3, 1)  # 16:30 in Chicago
        activity.start = datetime(2026, 3, 2, 5, 30, tzinfo=WARSAW)  # 22:30 on 1 March there
        activity.end = activity.start + timedelta(hours=1)
        activity.save(update_fields=["start", "end"])
        activity.refresh_from_db()
        assert activity.local_start_date == date(2026, 3, 1)
        activity.time_zone = "Europe/Warsaw"
        activity.save()
        activity.refresh_from_db()
        assert activity.local_start_date == date(2026, 3, 2)
