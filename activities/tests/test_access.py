"""Who may see and do what (issue 6): each role x each object type x each action, through
the pages and the API.

The structure: the team Sales is managed by `mgr` (also its member); its sub-team Key
accounts holds `emp` (a plain employee). `outsider` is an employee of no team, without a
login. `adm` is an administrator. Activity "own" is led by emp; activity "foreign" by the
outsider.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, ActivityStatus
from activities.selectors import visible_activities, visible_activity_ids
from activities.services import ActivityInput, activity_create
from activities.tests.factories import ActivityFactory, add_participant
from activities.tests.test_pages import form_data
from api.tests.conftest import ApiClient, issue_token
from customers.tests.factories import ContactPersonFactory, CustomerFactory
from dictionaries.models import ActivityCategory
from employees.models import Team
from employees.tests.factories import EmployeeFactory, UserFactory

ROLES = ("employee", "manager", "administrator")


@dataclass
class World:
    users: dict
    employees: dict
    own: Activity
    foreign: Activity


def _login(name: str, group: str, team=None):
    user = UserFactory(username=name)
    user.groups.add(Group.objects.get(name=group))
    employee = EmployeeFactory(user=user, team=team)
    return user, employee


@pytest.fixture
def world(db) -> World:
    sales = Team.objects.create(name="Sales")
    key_accounts = Team.objects.create(name="Key accounts", parent=sales)
    mgr, mgr_employee = _login("mgr", "manager", team=sales)
    sales.manager = mgr_employee
    sales.save()
    emp, emp_employee = _login("emp", "employee", team=key_accounts)
    adm, _adm_employee = _login("adm", "administrator")
    outsider = EmployeeFactory()
    customer = CustomerFactory()
    own = ActivityFactory(customer=customer, leader=emp_employee, in_schedule=True)
    foreign = ActivityFactory(customer=customer, leader=outsider, in_schedule=True)
    return World(
        users={"employee": emp, "manager": mgr, "administrator": adm},
        employees={"emp": emp_employee, "mgr": mgr_employee, "outsider": outsider},
        own=own,
        foreign=foreign,
    )


def page(client, user):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def api(client, user) -> ApiClient:
    return ApiClient(client, issue_token(user))


# --- activities: view ----------------------------------------------------------------

# (role, which activity, may see)
SEE = [
    ("employee", "own", True),
    ("employee", "foreign", False),
    ("manager", "own", True),  # emp is in a sub-team of the manager's team
    ("manager", "foreign", False),
    ("administrator", "own", True),
    ("administrator", "foreign", True),
]


@pytest.mark.parametrize(("role", "which", "visible"), SEE)
def test_view_an_activity_page_and_api(client, world, role, which, visible):
    activity = getattr(world, which)
    user = world.users[role]

    detail = page(client, user).get(reverse("activities:detail", args=[activity.pk]))
    ics = client.get(reverse("schedule:activity_ics", args=[activity.pk]))
    read = api(client, user).get(f"activities/{activity.pk}")

    expected = 200 if visible else 404
    assert (detail.status_code, ics.status_code, read.status_code) == (expected,) * 3


@pytest.mark.parametrize(("role", "which", "visible"), SEE)
def test_lists_show_only_visible_activities(client, world, role, which, visible):
    activity = getattr(world, which)
    user = world.users[role]

    listed = page(client, user).get(reverse("activities:list")).content.decode()
    on_customer = client.get(reverse("customers:detail", args=[activity.customer_id]))
    items = api(client, user).get("activities").json()["items"]

    assert (activity.subject in listed) is visible
    assert (activity.subject in on_customer.content.decode()) is visible
    assert on_customer.status_code == 200  # customers are visible to all
    assert (activity.pk in [a["id"] for a in items]) is visible


# --- activities: the follow-up chain in the API -------------------------------------


@dataclass
class Chain:
    """before (the outsider's) <- mine <- mine_next <- after (the outsider's again): emp
    takes part in the middle two only."""

    before: Activity
    mine: Activity
    mine_next: Activity
    after: Activity


@pytest.fixture
def chain(world) -> Chain:
    emp, outsider = world.employees["emp"], world.employees["outsider"]
    start = datetime(2026, 3, 2, 9, tzinfo=UTC)
    before = ActivityFactory(leader=outsider, subject="Chain 1", start=start)
    mine = ActivityFactory(leader=emp, subject="Chain 2", previous=before, start=start)
    mine_next = ActivityFactory(
        leader=emp, subject="Chain 3", previous=mine, start=start + timedelta(days=1)
    )
    after = ActivityFactory(
        leader=outsider, subject="Chain 4", previous=mine_next, start=start + timedelta(days=2)
    )
    return Chain(before, mine, mine_next, after)


def _ends(item: dict) -> tuple:
    return item["previous"], item["next"]


def test_the_api_names_no_previous_or_next_the_user_may_not_see(client, world, chain):
    caller = api(client, world.users["employee"])
    both = {a["id"]: a for a in caller.get("activities", {"q": "Chain"}).json()["items"]}
    # Alone on its page: its visible follow-up is not among the rows, yet named.
    (alone,) = caller.get("activities", {"q": "Chain 2"}).json()["items"]
    schedule = caller.get(
        f"employees/{world.employees['emp'].pk}/schedule",
        {"start": "2026-03-01", "end": "2026-03-08"},
    ).json()["items"]
    detail = caller.get(f"activities/{chain.mine.pk}").json()
    patched = caller.patch(f"activities/{chain.mine_next.pk}", {"subject": "Chain 3b"})
    ended = caller.post(f"activities/{chain.mine.pk}/end")

    assert set(both) == {chain.mine.pk, chain.mine_next.pk}
    assert _ends(both[chain.mine.pk]) == (None, chain.mine_next.pk)
    assert _ends(both[chain.mine_next.pk]) == (chain.mine.pk, None)
    assert _ends(alone) == (None, chain.mine_next.pk)
    assert [_ends(a) for a in schedule] == [(None, chain.mine_next.pk), (chain.mine.pk, None)]
    assert _ends(detail) == (None, chain.mine_next.pk)
    assert patched.status_code == 200 and _ends(patched.json()) == (chain.mine.pk, None)
    assert ended.status_code == 200 and _ends(ended.json()) == (None, chain.mine_next.pk)


@pytest.mark.parametrize("role", ["manager", "administrator"])
def test_the_api_names_the_chain_to_whoever_may_see_it(client, world, chain, role):
    """The manager sees emp's activities and none of the outsider's; the administrator
    sees all."""
    caller = api(client, world.users[role])
    detail = caller.get(f"activities/{chain.mine.pk}").json()
    (row,) = caller.get("activities", {"q": "Chain 3"}).json()["items"]

    sees_all = role == "administrator"
    assert _ends(detail) == (chain.before.pk if sees_all else None, chain.mine_next.pk)
    assert _ends(row) == (chain.mine.pk, chain.after.pk if sees_all else None)


def test_visible_activity_ids_is_the_visibility_rule(world, chain):
    """Its statement is built once per shape: it must still say what visible_activities
    says, for each role, what a user created, and a user with no employee."""
    booked = ActivityFactory(leader=world.employees["outsider"], created_by=world.users["manager"])
    nobody = UserFactory(username="no-employee")
    ids = list(Activity.objects.values_list("pk", flat=True))

    for user in [*world.users.values(), nobody]:
        rule = set(visible_activities(user).filter(pk__in=ids).values_list("pk", flat=True))
        assert visible_activity_ids(user=user, ids=ids) == rule
    assert booked.pk in visible_activity_ids(user=world.users["manager"], ids=[booked.pk])
    assert visible_activity_ids(user=nobody, ids=ids) == set()


def test_hiding_the_chain_costs_no_query_of_its_own(client, world):
    """Asked in the statement of the page's links (api.endpoints.activities.page_out): as
    many queries for one chain as for ten, and as for none."""
    emp, outsider = world.employees["emp"], world.employees["outsider"]
    caller = api(client, world.users["employee"])
    caller.get("activities")  # the token's first lookup

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert caller.get("activities", {"kind": "contact"}).status_code == 200
        return len(captured)

    def chained() -> None:
        previous = ActivityFactory(leader=outsider)
        ActivityFactory(leader=emp, previous=previous, kind="contact")

    ActivityFactory(leader=emp, kind="contact")
    unchained = queries()
    chained()
    once = queries()
    for _ in range(9):
        chained()
    assert queries() == once == unchained
    # And the previous activities, outside the employee's teams, are hidden all the same.
    rows = caller.get("activities", {"kind": "contact"}).json()["items"]
    assert len(rows) == 11
    assert [row["previous"] for row in rows] == [None] * 11


# --- activities: edit, end, reopen, delete --------------------------------------------

# (role, which activity, expected outcome): "ok", "403" (sees it, may not), "404"
EDIT = [
    ("employee", "own", "ok"),
    ("employee", "foreign", "404"),
    ("manager", "own", "ok"),
    ("manager", "foreign", "404"),
    ("administrator", "own", "ok"),
    ("administrator", "foreign", "ok"),
]


@pytest.mark.parametrize(("role", "which", "outcome"), EDIT)
def test_edit_page_and_api_patch(client, world, role, which, outcome):
    activity = getattr(world, which)
    user = world.users[role]

    form = page(client, user).get(reverse("activities:edit", args=[activity.pk]))
    patch = api(client, user).patch(f"activities/{activity.pk}", {"subject": "Changed"})

    expected = {"ok": 200, "404": 404}[outcome]
    assert (form.status_code, patch.status_code) == (expected, expected)
    activity.refresh_from_db()
    assert (activity.subject == "Changed") is (outcome == "ok")


@pytest.mark.parametrize(("role", "which", "outcome"), EDIT)
@pytest.mark.parametrize("via", ["page", "api"])
def test_end(client, world, role, which, outcome, via):
    activity = getattr(world, which)
    user = world.users[role]

    if via == "page":
        response = page(client, user).post(reverse("activities:end", args=[activity.pk]))
        assert response.status_code == (302 if outcome == "ok" else 404)
    else:
        response = api(client, user).post(f"activities/{activity.pk}/end")
        assert response.status_code == (200 if outcome == "ok" else 404)
    activity.refresh_from_db()
    assert (activity.status == ActivityStatus.ENDED) is (outcome == "ok")


# The employee may see and edit their own activity but holds no reopen permission.
REOPEN = [
    ("employee", "own", "403"),
    ("employee", "foreign", "404"),
    ("manager", "own", "ok"),
    ("manager", "foreign", "404"),
    ("administrator", "own", "ok"),
    ("administrator", "foreign", "ok"),
]


@pytest.mark.parametrize(("role", "which", "outcome"), REOPEN)
@pytest.mark.parametrize("via", ["page", "api"])
def test_reopen(client, world, role, which, outcome, via):
    activity = getattr(world, which)
    Activity.objects.filter(pk=activity.pk).update(status=ActivityStatus.ENDED)
    user = world.users[role]

    if via == "page":
        response = page(client, user).post(
            reverse("activities:reopen", args=[activity.pk]), follow=True
        )
        assert response.status_code == (404 if outcome == "404" else 200)
        if outcome == "403":
            assert "You may not reopen activities." in response.content.decode()
    else:
        response = api(client, user).post(f"activities/{activity.pk}/reopen")
        assert response.status_code == {"ok": 200, "403": 403, "404": 404}[outcome]
    activity.refresh_from_db()
    assert (activity.status == ActivityStatus.PLANNED) is (outcome == "ok")


@pytest.mark.parametrize(("role", "which", "outcome"), EDIT)
def test_delete_through_the_api(client, world, role, which, outcome):
    activity = getattr(world, which)

    response = api(client, world.users[role]).delete(f"activities/{activity.pk}")

    assert response.status_code == (204 if outcome == "ok" else 404)
    assert Activity.objects.filter(pk=activity.pk).exists() is (outcome != "ok")


# --- activities: plan (create) ---------------------------------------------------------

# (role, leader, other employees, allowed): the rule of changing, applied to what is
# planned: the creator leads or takes part, manages a team of a participant, or
# administers (activities.services.may_act_for).
PLAN = [
    ("employee", "outsider", [], False),  # issue 16: a meeting in a stranger's name
    ("employee", "emp", ["outsider"], True),  # he leads it
    ("employee", "outsider", ["emp"], True),  # he takes part
    ("manager", "emp", [], True),  # for a member of his (sub-)team
    ("manager", "outsider", ["emp"], True),  # a member of his team takes part
    ("manager", "outsider", [], False),
    ("administrator", "outsider", [], True),
]
PLAN_REFUSED = (
    "You may plan an activity only if you lead it or take part in it, or for employees "
    "of the teams you manage."
)


@pytest.fixture
def contact_of_world(world):
    return ContactPersonFactory(customer=world.own.customer)


@pytest.mark.parametrize(("role", "leader", "others", "allowed"), PLAN)
def test_plan_through_the_api(
    client,
    world,
    contact_of_world,
    django_capture_on_commit_callbacks,
    role,
    leader,
    others,
    allowed,
):
    before = Activity.objects.count()
    body = {
        "subject": "Planned",
        "customer": world.own.customer_id,
        "contact_persons": [contact_of_world.pk],
        "leader": world.employees[leader].pk,
        "employees": [world.employees[name].pk for name in [leader, *others]],
        "start": "2026-03-10T10:00:00+01:00",
        "follow_up": {"in": {"value": 1, "unit": "weeks"}},
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = api(client, world.users[role]).post("activities?send_invitations=true", body)

    if allowed:
        assert response.status_code == 201, response.json()
        assert Activity.objects.count() == before + 2  # with its follow-up
        assert mail.outbox
    else:
        assert response.status_code == 403, response.json()
        assert response.json()["detail"] == PLAN_REFUSED
        assert Activity.objects.count() == before
        assert mail.outbox == []


def test_a_body_with_errors_is_answered_422_before_the_refusal(client, world, contact_of_world):
    """An unknown employee is dropped before the service judges the rest: the 422 tells
    what to correct; the rule is judged on the corrected body."""
    body = {
        "subject": "Planned",
        "customer": world.own.customer_id,
        "contact_persons": [contact_of_world.pk],
        "employees": [world.employees["outsider"].pk, 999999],
        "start": "2026-03-10T10:00:00+01:00",
    }

    response = api(client, world.users["employee"]).post("activities", body)

    assert response.status_code == 422, response.json()
    assert "employees" in response.json()["errors"]
    assert not Activity.objects.filter(subject="Planned").exists()


@pytest.mark.parametrize(("role", "leader", "others", "allowed"), PLAN)
def test_plan_on_the_page(
    client,
    world,
    contact_of_world,
    django_capture_on_commit_callbacks,
    role,
    leader,
    others,
    allowed,
):
    before = Activity.objects.count()
    data = form_data(
        world.own.customer,
        contact_of_world,
        world.employees[leader],
        employees=[world.employees[name].pk for name in [leader, *others]],
        send_invitations="on",
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = page(client, world.users[role]).post(reverse("activities:create"), data)

    if allowed:
        assert response.status_code == 302
        assert Activity.objects.count() == before + 1
        assert mail.outbox
    else:
        assert response.status_code == 200
        assert response.context["form"].errors["employees"] == [PLAN_REFUSED]
        assert PLAN_REFUSED in response.content.decode()
        assert Activity.objects.count() == before
        assert mail.outbox == []


def test_the_refusal_speaks_polish(client, world, contact_of_world):
    data = form_data(world.own.customer, contact_of_world, world.employees["outsider"])
    client = page(client, world.users["employee"])
    client.cookies["django_language"] = "pl"

    response = client.post(reverse("activities:create"), data)

    (message,) = response.context["form"].errors["employees"]
    assert message.startswith("Działanie możesz zaplanować tylko")


@pytest.mark.parametrize(("role", "leader", "others", "allowed"), PLAN)
def test_an_edit_follows_the_planning_rule_too(
    client, world, contact_of_world, role, leader, others, allowed
):
    """Otherwise planning one's own meeting and then handing it over to a stranger would
    do what the rule refuses. Everyone here may change `own` (emp leads it)."""
    own = world.own
    own.contact_persons.add(contact_of_world)
    employees = [world.employees[name].pk for name in [leader, *others]]
    data = form_data(
        own.customer,
        contact_of_world,
        world.employees[leader],
        employees=employees,
        subject="Handed over",
        version=own.version,
    )

    response = page(client, world.users[role]).post(reverse("activities:edit", args=[own.pk]), data)
    patch = api(client, world.users[role]).patch(
        f"activities/{own.pk}",
        {"subject": "Patched", "leader": employees[0], "employees": employees},
    )

    own.refresh_from_db()
    if allowed:
        assert response.status_code == 302 and patch.status_code == 200, patch.json()
        assert own.subject == "Patched" and own.leader == world.employees[leader]
    else:
        assert response.context["form"].errors["employees"] == [PLAN_REFUSED]
        assert (patch.status_code, patch.json()["detail"]) == (403, PLAN_REFUSED)
        assert own.subject != "Handed over" and own.leader == world.employees["emp"]


def test_a_follow_up_of_an_activity_one_may_change_is_planned(client, world):
    """Its employees are those of the activity, which the user may change: allowed on
    the page and through the API (the outsider leads, emp takes part)."""
    emp = world.users["employee"]
    shared = ActivityFactory(leader=world.employees["outsider"], customer=world.own.customer)
    add_participant(shared, world.employees["emp"])

    page(client, emp).post(
        reverse("activities:follow_up", args=[shared.pk]),
        {"value": "1", "unit": "weeks", "kind": "meeting"},
    )
    patched = api(client, emp).patch(
        f"activities/{world.own.pk}", {"follow_up": {"in": {"value": 2, "unit": "days"}}}
    )

    assert Activity.objects.filter(previous=shared).exists()
    assert patched.status_code == 200 and patched.json()["next"] is not None


def test_the_system_plans_for_anyone(world, contact_of_world):
    """No user (imports from a shell, the demo data) is not refused."""
    data = ActivityInput(
        kind="meeting",
        subject="Imported",
        customer=world.own.customer,
        contact_persons=[contact_of_world],
        employees=[world.employees["outsider"]],
        start=timezone.now(),
    )

    assert activity_create(data=data, created_by=None).leader == world.employees["outsider"]


# --- the all-visible setting: seeing is not editing -----------------------------------


def test_all_visible_setting_shows_every_activity_but_editing_stays_with_the_team(
    client, world, settings
):
    settings.SPOTKANIA_ALL_ACTIVITIES_VISIBLE = True
    emp = world.users["employee"]

    detail = page(client, emp).get(reverse("activities:detail", args=[world.foreign.pk]))
    form = client.get(reverse("activities:edit", args=[world.foreign.pk]))
    ended = client.post(reverse("activities:end", args=[world.foreign.pk]), follow=True)
    patch = api(client, emp).patch(f"activities/{world.foreign.pk}", {"subject": "X"})
    deleted = api(client, emp).delete(f"activities/{world.foreign.pk}")

    assert detail.status_code == 200
    assert 'id="edit-button"' not in detail.content.decode()
    assert 'id="end-button"' not in detail.content.decode()
    assert form.status_code == 403
    assert "You may not change this activity." in ended.content.decode()
    assert (patch.status_code, deleted.status_code) == (403, 403)
    world.foreign.refresh_from_db()
    assert world.foreign.status == ActivityStatus.PLANNED
    assert world.foreign.subject != "X"


# --- schedule -------------------------------------------------------------------------

# (role, whose schedule, may open)
SCHEDULE = [
    ("employee", "emp", True),
    ("employee", "outsider", False),
    ("manager", "emp", True),
    ("manager", "outsider", False),
    ("administrator", "emp", True),
    ("administrator", "outsider", True),
]


@pytest.mark.parametrize(("role", "whose", "visible"), SCHEDULE)
def test_schedule_page_events_api_and_free_busy(client, world, role, whose, visible):
    employee = world.employees[whose]
    user = world.users[role]
    week = {"start": "2020-01-06T00:00:00", "end": "2020-01-13T00:00:00"}
    api_week = {"start": "2020-01-06", "end": "2020-01-13"}

    calendar = page(client, user).get(reverse("schedule:employee", args=[employee.pk]))
    events = client.get(reverse("schedule:events", args=[employee.pk]), week)
    team = client.get(reverse("schedule:team")).content.decode()
    caller = api(client, user)
    schedule = caller.get(f"employees/{employee.pk}/schedule", api_week)
    busy = caller.get("schedule/free-busy", {"employees": str(employee.pk), **api_week})

    expected = 200 if visible else 404
    codes = (calendar, events, schedule, busy)
    assert [r.status_code for r in codes] == [expected] * 4, [r.content[:200] for r in codes]
    assert (employee.full_name in team) is visible


# --- cost report ----------------------------------------------------------------------

COSTS = [("employee", 1), ("manager", 1), ("administrator", 2)]


@pytest.mark.parametrize(("role", "count"), COSTS)
def test_cost_report_counts_only_visible_activities(client, world, role, count):
    user = world.users[role]

    html = page(client, user).get(reverse("reports:costs")).content.decode()
    csv = client.get(reverse("reports:costs_csv")).content.decode()
    report = api(client, user).get("reports/costs").json()

    assert report["total"]["activities"] == count
    assert f'<td class="text-end">{count}</td>' in html
    assert f";{count};" in csv or f",{count}," in csv


# --- customers: visible to all --------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_customers_are_visible_and_editable_by_all(client, world, role):
    user = world.users[role]
    customer = world.own.customer

    detail = page(client, user).get(reverse("customers:detail", args=[customer.pk]))
    edit = client.get(reverse("customers:update", args=[customer.pk]))
    read = api(client, user).get(f"customers/{customer.pk}")

    assert (detail.status_code, edit.status_code, read.status_code) == (200, 200, 200)


# --- dictionaries: the administrator --------------------------------------------------


@pytest.mark.parametrize(("role", "allowed"), [(r, r == "administrator") for r in ROLES])
def test_dictionaries_need_the_administrator(client, world, role, allowed):
    user = world.users[role]
    before = ActivityCategory.objects.count()

    listing = page(client, user).get(reverse("dictionaries:list", args=["categories"]))
    currencies = client.get(reverse("currencies:list"))
    added = api(client, user).post("dictionaries/categories", {"name_pl": "A", "name_en": "A"})
    read = api(client, user).get("dictionaries/categories")

    assert (listing.status_code, currencies.status_code) == ((200, 200) if allowed else (403, 403))
    assert added.status_code == (201 if allowed else 403)
    assert read.status_code == 200  # reading the entries (for the forms) is for everyone
    assert ActivityCategory.objects.count() == before + allowed


def test_a_managers_list_makes_a_fixed_number_of_queries(
    client, world, django_assert_max_num_queries
):
    for _ in range(30):
        ActivityFactory(leader=world.employees["emp"])
    page(client, world.users["manager"])
    client.get(reverse("activities:list"))

    # The page's own queries (see test_activity_list_has_no_n_plus_one) plus the team tree
    # and its members, read once: the visibility filter is a subquery, not a row check.
    with django_assert_max_num_queries(12):
        response = client.get(reverse("activities:list"))

    assert response.content.decode().count('class="activity-subject"') == 25


def test_an_employee_sees_what_they_planned_for_someone_else(client, world):
    """A meeting booked for a salesperson outside the user's team (now refused to a plain
    employee, see PLAN; booked before that, or led by the salesperson later) stays
    visible to whoever created it (not editable: they take no part in it)."""
    emp = world.users["employee"]
    booked = ActivityFactory(leader=world.employees["outsider"], created_by=emp)

    assert page(client, emp).get(reverse("activities:detail", args=[booked.pk])).status_code == 200
    assert api(client, emp).get(f"activities/{booked.pk}").status_code == 200
    assert api(client, emp).patch(f"activities/{booked.pk}", {"subject": "X"}).status_code == 403
