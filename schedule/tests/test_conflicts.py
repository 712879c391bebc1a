"""Conflict detection: who clashes with what, and the warn/refuse setting."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities import services
from activities.models import Activity, ActivityStatus
from activities.tests.factories import ActivityFactory
from dictionaries.models import ActivityPriority
from employees.selectors import visible_employee_ids
from employees.tests.factories import EmployeeFactory, UserFactory
from schedule.conflicts import ScheduleConflict, Span, find_clashes, find_clashes_in
from schedule.tests.conftest import at

pytestmark = pytest.mark.django_db


def clashes(employee, start, end, exclude=None):
    return find_clashes(employee_ids=[employee.pk], start=start, end=end, exclude_id=exclude)


def test_overlap_names_the_employee_and_the_activity(employee, meeting_of):
    existing = meeting_of(employee, at("2026-03-27", 10), subject="Negotiations")
    found = clashes(employee, at("2026-03-27", 10, 30), at("2026-03-27", 11, 30))
    assert [c.activity_id for c in found] == [existing.pk]
    assert "Anna Nowak" in found[0].message()
    assert "Negotiations" in found[0].message()


def test_touching_ends_do_not_clash(employee, meeting_of):
    meeting_of(employee, at("2026-03-27", 10))  # 10:00-11:00
    assert clashes(employee, at("2026-03-27", 11), at("2026-03-27", 12)) == []
    assert clashes(employee, at("2026-03-27", 9), at("2026-03-27", 10)) == []
    assert len(clashes(employee, at("2026-03-27", 9), at("2026-03-27", 10, 1))) == 1


def test_cancelled_activities_do_not_clash(employee, meeting_of):
    meeting_of(employee, at("2026-03-27", 10), status=ActivityStatus.CANCELLED)
    assert clashes(employee, at("2026-03-27", 10), at("2026-03-27", 11)) == []


def test_ended_activities_still_clash(employee, meeting_of):
    meeting_of(employee, at("2026-03-27", 10), status=ActivityStatus.ENDED)
    assert len(clashes(employee, at("2026-03-27", 10), at("2026-03-27", 11))) == 1


def test_activities_out_of_the_schedule_do_not_clash(employee, meeting_of):
    meeting_of(employee, at("2026-03-27", 10), in_schedule=False)
    assert clashes(employee, at("2026-03-27", 10), at("2026-03-27", 11)) == []


def test_another_employees_activity_does_not_clash(employee, meeting_of):
    meeting_of(EmployeeFactory(), at("2026-03-27", 10))
    assert clashes(employee, at("2026-03-27", 10), at("2026-03-27", 11)) == []


def test_an_activity_does_not_clash_with_itself(employee, meeting_of):
    existing = meeting_of(employee, at("2026-03-27", 10))
    assert clashes(employee, at("2026-03-27", 10), at("2026-03-27", 11), exclude=existing.pk) == []


def test_an_all_day_activity_occupies_its_day(employee):
    ActivityFactory(
        leader=employee, start=at("2026-03-27", 0), end=at("2026-03-28", 0), all_day=True
    )
    assert len(clashes(employee, at("2026-03-27", 15), at("2026-03-27", 16))) == 1
    assert clashes(employee, at("2026-03-28", 0), at("2026-03-28", 1)) == []


def _input(activity: Activity, **changes):
    data = services.ActivityInput(
        kind="meeting",
        subject="Second",
        customer=activity.customer,
        contact_persons=list(activity.contact_persons.all()),
        employees=list(activity.employees.all()),
        start=at("2026-03-27", 10, 30),
        end=at("2026-03-27", 11, 30),
        priority=ActivityPriority.objects.get(is_default=True),
    )
    for key, value in changes.items():
        setattr(data, key, value)
    return data


def test_service_warns_and_saves_only_when_told_to(employee, meeting_of):
    existing = meeting_of(employee, at("2026-03-27", 10))
    with pytest.raises(ScheduleConflict) as caught:
        services.activity_create(data=_input(existing), ignore_conflicts=False)
    assert caught.value.overridable is True
    assert Activity.objects.count() == 1
    services.activity_create(data=_input(existing), ignore_conflicts=True)
    assert Activity.objects.count() == 2


def test_refuse_setting_refuses_even_when_told_to_ignore(employee, meeting_of, settings):
    settings.SPOTKANIA_SCHEDULE_CONFLICTS = "refuse"
    existing = meeting_of(employee, at("2026-03-27", 10))
    with pytest.raises(ScheduleConflict) as caught:
        services.activity_create(data=_input(existing), ignore_conflicts=True)
    assert caught.value.overridable is False
    assert Activity.objects.count() == 1


def test_moving_an_activity_within_its_own_time_is_no_conflict(employee, meeting_of):
    existing = meeting_of(employee, at("2026-03-27", 10))
    services.activity_update(
        activity=existing, data=_input(existing, subject="Moved"), ignore_conflicts=False
    )
    existing.refresh_from_db()
    assert existing.start == at("2026-03-27", 10, 30)


def test_new_activity_out_of_schedule_is_not_checked(employee, meeting_of):
    existing = meeting_of(employee, at("2026-03-27", 10))
    services.activity_create(data=_input(existing, in_schedule=False), ignore_conflicts=False)
    assert Activity.objects.count() == 2


class TestFormWarning:
    def post(self, client, existing, **extra):
        from activities.tests.test_pages import form_data

        data = form_data(
            existing.customer,
            existing.contact_persons.get(),
            existing.leader,
            start="2026-03-27T10:30",
            end="2026-03-27T11:30",
            **extra,
        )
        return client.post(reverse("activities:create"), data)

    def test_the_form_shows_the_clash_and_saves_after_the_override(
        self, logged_in, employee, meeting_of
    ):
        existing = meeting_of(employee, at("2026-03-27", 10), subject="Negotiations")
        response = self.post(logged_in, existing)
        assert response.status_code == 200
        body = response.content.decode()
        assert 'id="schedule-conflicts"' in body
        assert "Anna Nowak already has" in body and "Negotiations" in body
        assert 'name="ignore_conflicts"' in body
        assert Activity.objects.count() == 1

        response = self.post(logged_in, existing, ignore_conflicts="on")
        assert response.status_code == 302
        assert Activity.objects.count() == 2

    def test_refused_by_setting_offers_no_override(self, logged_in, employee, meeting_of, settings):
        settings.SPOTKANIA_SCHEDULE_CONFLICTS = "refuse"
        existing = meeting_of(employee, at("2026-03-27", 10))
        response = self.post(logged_in, existing, ignore_conflicts="on")
        assert response.status_code == 200
        body = response.content.decode()
        assert 'id="schedule-conflicts"' in body
        assert 'name="ignore_conflicts"' not in body
        assert Activity.objects.count() == 1


def test_a_follow_up_that_double_books_is_refused_with_its_meeting(employee, meeting_of, settings):
    """Under "refuse" the follow-up is checked like any save; the meeting that asked for it
    is not saved either (one transaction)."""
    settings.SPOTKANIA_SCHEDULE_CONFLICTS = "refuse"
    busy = meeting_of(employee, at("2026-03-29", 10))  # two days after the new meeting
    data = _input(busy)
    data.start, data.end = at("2026-03-27", 10), at("2026-03-27", 11)
    with pytest.raises(ScheduleConflict):
        services.activity_create(data=data, follow_up=services.FollowUp(value=2, unit="days"))
    assert Activity.objects.count() == 1


def test_a_clash_the_user_may_not_see_says_busy_without_its_subject(employee, meeting_of):
    """The conflict check must not become a way round the visibility rule (issue 6)."""
    colleague = EmployeeFactory()
    secret = meeting_of(colleague, at("2026-03-27", 10), subject="Secret deal")
    data = _input(secret)  # includes the colleague, at 10:30
    data.employees = [employee, colleague]
    with pytest.raises(ScheduleConflict) as caught:
        services.activity_create(data=data, created_by=employee.user, ignore_conflicts=False)
    (message,) = caught.value.messages
    assert "Secret deal" not in message
    assert colleague.full_name in message and "busy" in message
    assert caught.value.clashes[0].visible is False

    # Someone who may see it (here: the colleague's own login) is told what it is.
    colleague.user = UserFactory()
    colleague.save()
    with pytest.raises(ScheduleConflict) as caught:
        services.activity_create(data=data, created_by=colleague.user, ignore_conflicts=False)
    assert "Secret deal" in caught.value.messages[0]


class TestAMeetingAndItsFollowUp:
    """A meeting saved with its follow-up is checked as if each were saved in turn: the
    meeting against the schedule, then the follow-up against the schedule and the
    meeting. One query looks for both."""

    @pytest.fixture
    def busy(self, employee, meeting_of):
        """The day after the new meeting (27 March, 10:00-11:00), at the same hour."""
        return meeting_of(employee, at("2026-03-28", 10, 30), subject="Busy")

    def data(self, busy, **changes):
        data = _input(busy, **changes)
        data.start, data.end = at("2026-03-27", 10), at("2026-03-27", 11)
        return data

    def test_a_follow_up_overlapping_its_meeting_is_refused_naming_the_meeting(
        self, employee, busy, settings
    ):
        settings.SPOTKANIA_SCHEDULE_CONFLICTS = "refuse"
        follow_up = services.FollowUp(value=30, unit="hours")  # 28 March 16:00: free
        data = self.data(busy)
        data.end = at("2026-03-28", 17)  # the meeting runs until the follow-up's hour
        with pytest.raises(ScheduleConflict) as caught:
            services.activity_create(data=data, follow_up=follow_up, created_by=employee.user)
        # The meeting clashes with "Busy" first: that is what is refused.
        assert [c.subject for c in caught.value.clashes] == ["Busy"]
        assert Activity.objects.count() == 1

        data.start = at("2026-03-28", 11, 30)  # after "Busy": only the follow-up clashes
        follow_up = services.FollowUp(value=2, unit="hours")  # 13:30, the meeting till 17:00
        with pytest.raises(ScheduleConflict) as caught:
            services.activity_create(data=data, follow_up=follow_up, created_by=employee.user)
        (clash,) = caught.value.clashes
        assert clash.subject == "Second" and clash.visible
        assert clash.start == at("2026-03-28", 11, 30)
        assert "Second" in caught.value.messages[0]
        assert Activity.objects.count() == 1
        assert not Activity.history.exclude(id=busy.pk).exists()

    def test_only_the_meetings_clashes_are_asked_about_first(self, employee, busy):
        earlier = ActivityFactory(leader=employee, start=at("2026-03-27", 10, 30))
        follow_up = services.FollowUp(value=1, unit="days")  # clashes with "Busy"
        with pytest.raises(ScheduleConflict) as caught:
            services.activity_create(
                data=self.data(busy), follow_up=follow_up, ignore_conflicts=False
            )
        assert [c.activity_id for c in caught.value.clashes] == [earlier.pk]
        assert caught.value.overridable

        earlier.delete()
        with pytest.raises(ScheduleConflict) as caught:
            services.activity_create(
                data=self.data(busy), follow_up=follow_up, ignore_conflicts=False
            )
        assert [c.activity_id for c in caught.value.clashes] == [busy.pk]
        assert Activity.objects.count() == 1

    def test_saved_anyway_the_report_names_the_meetings_clashes_only(self, employee, busy):
        """What the follow-up alone clashes with is not reported, as before the two were
        checked together."""
        earlier = ActivityFactory(leader=employee, start=at("2026-03-27", 10, 30))
        clashes = []
        services.activity_create(
            data=self.data(busy),
            follow_up=services.FollowUp(value=1, unit="days"),  # clashes with "Busy"
            clashes=clashes,
        )
        assert [c.activity_id for c in clashes] == [earlier.pk]

    def test_saved_anyway_a_follow_up_meeting_its_meeting_is_reported_too(self, employee, busy):
        """A clash is mutual: the meeting's report names its follow-up, by start."""
        earlier = ActivityFactory(leader=employee, start=at("2026-03-27", 10, 30))
        data = self.data(busy, subject="Long")
        data.end = at("2026-03-28", 12)
        clashes = []
        activity = services.activity_create(
            data=data, follow_up=services.FollowUp(value=25, unit="hours"), clashes=clashes
        )
        successor = activity.next
        assert successor.start == at("2026-03-28", 11)  # till 29 March 13:00
        assert [c.activity_id for c in clashes] == [earlier.pk, busy.pk, successor.pk]
        mutual = clashes[-1]
        assert (mutual.subject, mutual.start, mutual.visible) == ("Long", successor.start, True)

    def test_an_activity_long_enough_to_meet_both_is_named_once(self, employee, busy):
        week = ActivityFactory(
            leader=employee, start=at("2026-03-26", 0), end=at("2026-04-05", 0), all_day=True
        )
        clashes = []
        services.activity_create(
            data=self.data(busy),
            follow_up=services.FollowUp(value=2, unit="days"),
            clashes=clashes,
        )
        assert [c.activity_id for c in clashes] == [week.pk]

    def test_the_follow_up_of_a_cancelled_activity_is_checked_alone(
        self, employee, busy, meeting_of, settings
    ):
        """A cancelled activity is out of the schedule: neither its own clash with "Busy"
        nor its follow-up's with it count; the follow-up's with another do."""
        settings.SPOTKANIA_SCHEDULE_CONFLICTS = "refuse"
        cancelled = meeting_of(
            employee, at("2026-03-28", 11), minutes=120, status=ActivityStatus.CANCELLED
        )
        also_busy = meeting_of(employee, at("2026-03-29", 11, 30))
        data = _input(cancelled, subject="Still cancelled")
        data.start, data.end = cancelled.start, cancelled.end

        services.activity_update(  # 12:00-14:00
            activity=cancelled, data=data, follow_up=services.FollowUp(value=1, unit="hours")
        )
        cancelled.next.delete()
        with pytest.raises(ScheduleConflict) as caught:
            services.activity_update(
                activity=cancelled, data=data, follow_up=services.FollowUp(value=1, unit="days")
            )
        assert [c.activity_id for c in caught.value.clashes] == [also_busy.pk]

    def test_a_follow_up_scheduled_later_is_refused_when_it_meets_its_activity(
        self, employee, meeting_of, settings
    ):
        settings.SPOTKANIA_SCHEDULE_CONFLICTS = "refuse"
        activity = meeting_of(employee, at("2026-03-27", 10), minutes=180, subject="Long")
        with pytest.raises(ScheduleConflict) as caught:
            services.follow_up_schedule(
                activity=activity, follow_up=services.FollowUp(value=1, unit="hours")
            )
        assert [c.activity_id for c in caught.value.clashes] == [activity.pk]
        assert Activity.objects.count() == 1


def test_several_spans_are_looked_up_in_one_query(employee, meeting_of):
    ten = meeting_of(employee, at("2026-03-27", 10))
    twelve = meeting_of(employee, at("2026-03-27", 12))
    spans = [
        Span(at("2026-03-27", 9), at("2026-03-27", 13), frozenset([twelve.pk])),
        Span(at("2026-03-27", 12, 30), at("2026-03-27", 14)),
        Span(at("2026-03-27", 11), at("2026-03-27", 12)),
    ]
    with CaptureQueriesContext(connection) as queries:
        found = find_clashes_in(employee_ids=[employee.pk], spans=spans)
    assert len(queries) == 1
    assert [[c.activity_id for c in clashes] for clashes in found] == [[ten.pk], [twelve.pk], []]
    for span, clashes in zip(spans, found, strict=True):
        alone = find_clashes(
            employee_ids=[employee.pk],
            start=span.start,
            end=span.end,
            exclude_id=next(iter(span.exclude_ids), None),
        )
        assert clashes == alone


def test_what_a_span_excludes_is_not_asked_about(user, meeting_of):
    """An activity being saved is left out of its own check without asking the visibility
    rule about it, though the user may not see its employee."""
    colleague = EmployeeFactory()  # in none of the user's teams
    saving = meeting_of(colleague, at("2026-03-27", 10))
    visible_employee_ids(user)  # read once a request (the API keeps it with the token)

    with CaptureQueriesContext(connection) as queries:
        found = find_clashes(
            employee_ids=[colleague.pk],
            start=saving.start,
            end=saving.end,
            exclude_id=saving.pk,
            user=user,
        )

    assert found == []
    assert len(queries) == 1
