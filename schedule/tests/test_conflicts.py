"""Conflict detection: who clashes with what, and the warn/refuse setting."""

import pytest
from django.urls import reverse

from activities import services
from activities.models import Activity, ActivityStatus
from activities.tests.factories import ActivityFactory
from dictionaries.models import ActivityPriority
from employees.tests.factories import EmployeeFactory, UserFactory
from schedule.conflicts import ScheduleConflict, find_clashes
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
