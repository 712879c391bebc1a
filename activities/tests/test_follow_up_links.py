"""The links between an activity and the one it follows up (and its follow-up): shown as
links only to a user who may open them, as plain text otherwise (no 404 behind a link,
nothing told of an activity the user may not see)."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities import views
from activities.tests.factories import ActivityFactory, add_participant
from employees.models import Team
from employees.tests.factories import EmployeeFactory, UserFactory

EARLIER = timezone.now().replace(microsecond=0) - timedelta(days=7)

pytestmark = pytest.mark.django_db


def previous_of(follow_up_leader, **kwargs):
    """An activity of someone else's (`EmployeeFactory`) a week ago, and its follow-up led
    by `follow_up_leader`."""
    first = ActivityFactory(
        subject="Secret negotiation", leader=EmployeeFactory(), start=EARLIER, **kwargs
    )
    second = ActivityFactory(customer=first.customer, leader=follow_up_leader, previous=first)
    return first, second


def test_a_previous_activity_the_user_may_not_see_is_not_a_link(logged_in, employee):
    first, second = previous_of(employee)

    response = logged_in.get(second.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert first.get_absolute_url() not in html
    assert "An earlier activity you cannot see" in html
    assert "Secret negotiation" not in html
    # And the link it would have been does lead nowhere.
    assert logged_in.get(first.get_absolute_url()).status_code == 404


def test_a_previous_activity_the_user_takes_part_in_is_a_link(logged_in, employee):
    first, second = previous_of(employee)
    add_participant(first, employee)

    response = logged_in.get(second.get_absolute_url())

    html = response.content.decode()
    assert first.get_absolute_url() in html
    assert "you cannot see" not in html
    assert logged_in.get(first.get_absolute_url()).status_code == 200


def test_a_previous_activity_the_user_created_is_a_link(logged_in, employee, user):
    first, second = previous_of(employee, created_by=user)

    html = logged_in.get(second.get_absolute_url()).content.decode()

    assert first.get_absolute_url() in html


def test_a_follow_up_the_user_may_not_see_is_not_a_link_on_the_page_nor_the_form(
    logged_in, employee
):
    """The follow-up's people were changed afterwards: this employee is no longer in it."""
    first = ActivityFactory(leader=employee)
    second = ActivityFactory(customer=first.customer, leader=EmployeeFactory(), previous=first)

    detail = logged_in.get(first.get_absolute_url())
    form = logged_in.get(reverse("activities:edit", args=[first.pk]))

    for response in (detail, form):
        assert response.status_code == 200
        html = response.content.decode()
        assert second.get_absolute_url() not in html
        assert "A follow-up you cannot see" in html
    assert logged_in.get(second.get_absolute_url()).status_code == 404


def test_a_follow_up_the_user_takes_part_in_is_a_link_on_the_page_and_the_form(logged_in, employee):
    first = ActivityFactory(leader=employee)
    second = ActivityFactory(customer=first.customer, leader=employee, previous=first)

    for url in (first.get_absolute_url(), reverse("activities:edit", args=[first.pk])):
        html = logged_in.get(url).content.decode()
        assert second.get_absolute_url() in html
        assert "you cannot see" not in html


def test_the_polish_page_says_it_in_polish(client, employee):
    _first, second = previous_of(employee)
    client.force_login(employee.user)
    client.cookies["django_language"] = "pl"

    html = client.get(second.get_absolute_url()).content.decode()

    assert "Wcześniejsze działanie, do którego nie masz dostępu" in html


def test_a_manager_sees_the_link_to_their_teams_activity(client, employee):
    """The rule is `visible_activities`'s: a manager sees their team's activities."""
    team = Team.objects.create(name="Sales")
    manager = UserFactory(username="mgr")
    manager.groups.add(Group.objects.get(name="manager"))
    team.manager = EmployeeFactory(user=manager, team=team)
    team.save()
    member = EmployeeFactory(team=team)
    first = ActivityFactory(leader=member, start=EARLIER)
    second = ActivityFactory(customer=first.customer, leader=member, previous=first)
    client.force_login(manager)
    client.cookies["django_language"] = "en"

    html = client.get(second.get_absolute_url()).content.decode()

    assert first.get_absolute_url() in html


def test_deciding_the_links_costs_one_query_at_most(logged_in, employee, monkeypatch):
    """Against the same page without the decision (all shown as plain text): one query
    more for both links, whatever the rest of the page reads."""

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert logged_in.get(middle.get_absolute_url()).status_code == 200
        return len(captured)

    first = ActivityFactory(leader=employee, start=EARLIER)
    middle = ActivityFactory(customer=first.customer, leader=employee, previous=first)
    ActivityFactory(customer=first.customer, leader=EmployeeFactory(), previous=middle)
    queries()  # what a first request fills (caches) is then filled for both
    with_links = queries()
    monkeypatch.setattr(views, "visible_activity_ids", lambda *, user, ids: frozenset())
    without = queries()

    assert with_links == without + 1


def test_the_edit_form_which_shows_no_previous_activity_does_not_ask_about_it(
    logged_in, employee, monkeypatch
):
    _first, second = previous_of(employee)
    asked = []
    monkeypatch.setattr(
        views, "visible_activity_ids", lambda *, user, ids: asked.append(list(ids)) or frozenset()
    )

    response = logged_in.get(reverse("activities:edit", args=[second.pk]))

    assert response.status_code == 200
    assert asked == [[None, None]]
