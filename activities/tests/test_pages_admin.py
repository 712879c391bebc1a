"""The activity admin, tested through HTTP: a back door that keeps the activity rules."""

import pytest
from django.urls import reverse

from activities.models import Activity, ActivityStatus, Participation
from activities.tests.factories import ActivityFactory


@pytest.mark.django_db
def test_changelist_searches_by_customer(admin_client):
    wanted = ActivityFactory(subject="Wanted one")
    ActivityFactory(subject="Other one")

    response = admin_client.get(
        reverse("admin:activities_activity_changelist"), {"q": wanted.customer.name}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Wanted one" in html
    assert "Other one" not in html


@pytest.mark.django_db
def test_activities_are_not_added_in_the_admin(admin_client):
    response = admin_client.get(reverse("admin:activities_activity_add"))

    assert response.status_code == 403


@pytest.mark.django_db
def test_free_text_is_editable_but_relations_are_not(admin_client):
    activity = ActivityFactory(subject="Before")
    url = reverse("admin:activities_activity_change", args=[activity.pk])

    response = admin_client.post(
        url, {"subject": "After", "place": "Gdańsk", "notes": "", "in_schedule": "on"}
    )

    activity.refresh_from_db()
    assert response.status_code == 302
    assert (activity.subject, activity.place, activity.version) == ("After", "Gdańsk", 2)


@pytest.mark.django_db
def test_ended_activity_is_view_only(admin_client):
    activity = ActivityFactory(subject="Held", status=ActivityStatus.ENDED)
    url = reverse("admin:activities_activity_change", args=[activity.pk])

    admin_client.post(url, {"subject": "Changed", "place": "", "notes": ""})
    delete = admin_client.post(
        reverse("admin:activities_activity_delete", args=[activity.pk]), {"post": "yes"}
    )

    activity.refresh_from_db()
    assert activity.subject == "Held"
    assert delete.status_code == 403
    assert Activity.objects.filter(pk=activity.pk).exists()


@pytest.mark.django_db
def test_a_staff_employee_cannot_open_activities_in_the_admin(client):
    """The admin does not know the team rule: it is for CRM administrators only."""
    from django.contrib.auth.models import Group

    from employees.tests.factories import UserFactory

    activity = ActivityFactory()
    staff = UserFactory(username="staffer", is_staff=True)
    staff.groups.add(Group.objects.get(name="employee"))
    client.force_login(staff)
    change = reverse("admin:activities_activity_change", args=[activity.pk])
    assert client.get(change).status_code == 403
    assert client.post(change, {"subject": "CHANGED"}).status_code == 403
    activity.refresh_from_db()
    assert activity.subject != "CHANGED"


@pytest.mark.django_db
def test_taking_an_activity_out_of_the_schedule_reaches_its_links_and_their_history(
    admin_client, admin_user
):
    activity = ActivityFactory()
    url = reverse("admin:activities_activity_change", args=[activity.pk])

    admin_client.post(url, {"subject": activity.subject, "place": "", "notes": ""})

    entry = activity.history.latest()
    assert entry.history_user == admin_user
    assert Participation.objects.get(activity=activity).in_schedule is False
    assert [link.in_schedule for link in entry.employees.all()] == [False]
