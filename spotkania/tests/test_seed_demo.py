"""`manage.py seed_demo`: demo data that logs in, obeys the rules and repeats per seed."""

import re
import zoneinfo
from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.db.models import F, Q
from django.utils import timezone

from activities.models import Activity, ActivityStatus
from customers.models import ContactPerson, Customer
from customers.validators import normalize_nip
from dictionaries.models import ActivityCategory
from employees.models import Employee
from employees.roles import is_crm_admin
from employees.tests.factories import UserFactory

WARSAW = zoneinfo.ZoneInfo("Europe/Warsaw")
# A smaller data set than the default, for the tests that do not count.
SMALL = ["--customers", "12", "--months", "2"]


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    # The command hashes two passwords; the default hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed_demo(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def delete_demo_data() -> None:
    """Empties what the command fills, in an order the PROTECT foreign keys accept.

    The users demo and admin stay; the second run leaves them as they are."""
    Activity.objects.all().delete()
    Customer.objects.all().delete()
    Employee.objects.all().delete()


def snapshot() -> dict:
    return {
        "employees": list(Employee.objects.order_by("id").values_list("first_name", "last_name")),
        "customers": list(Customer.objects.order_by("code").values_list("code", "name", "tax_id")),
        "persons": list(ContactPerson.objects.order_by("id").values_list("last_name", "email")),
        "activities": list(
            Activity.objects.order_by("id").values_list(
                "kind", "subject", "customer__code", "place", "expected_cost"
            )
        ),
    }


@pytest.mark.django_db
class TestSeedDemo:
    def test_default_run_loads_a_realistic_amount_and_reports_it(self):
        out = seed_demo("--seed", "1")

        assert Employee.objects.count() == 8
        assert Customer.objects.count() == 40
        assert 40 <= ContactPerson.objects.count() <= 160
        assert Activity.objects.count() >= 150
        assert "40 customers" in out
        assert f"{Activity.objects.count()} activities" in out

    def test_demo_and_admin_can_log_in_and_are_employees(self, client):
        seed_demo(*SMALL)

        demo = authenticate(username="demo", password="demo")
        admin = authenticate(username="admin", password="admin")

        assert demo is not None and admin is not None
        assert demo.employee != admin.employee
        assert demo.has_perm("activities.reopen_activity")
        assert not demo.is_staff
        assert admin.is_superuser and admin.is_staff
        assert demo.employee.time_zone == "Europe/Warsaw"
        assert client.login(username="demo", password="demo")

    def test_customers_have_codes_valid_nips_and_contact_persons(self):
        seed_demo(*SMALL)

        customers = Customer.objects.all()
        assert customers.count() == 12
        for customer in customers:
            assert re.fullmatch(r"K\d{4}", customer.code)
            assert normalize_nip(customer.tax_id) == customer.tax_id
            assert customer.address and customer.email and customer.phone
            assert 1 <= customer.contact_persons.count() <= 4

    def test_activities_name_contact_persons_of_their_own_customer(self):
        seed_demo(*SMALL)

        through = Activity.contact_persons.through.objects
        assert through.exists()
        assert not through.exclude(contactperson__customer=F("activity__customer")).exists()
        assert not Activity.objects.filter(contact_persons=None).exists()
        assert not Activity.objects.filter(employees=None).exists()
        for activity in Activity.objects.prefetch_related("employees"):
            assert activity.leader in activity.employees.all()

    def test_follow_ups_are_linked_both_ways(self):
        seed_demo("--seed", "1")

        follow_ups = Activity.objects.filter(previous__isnull=False).select_related("previous")
        assert follow_ups.exists()
        for follow_up in follow_ups:
            previous = follow_up.previous
            assert previous.next == follow_up
            assert follow_up.customer_id == previous.customer_id
            assert follow_up.subject == previous.subject
            assert follow_up.start > previous.start
            assert previous.status != ActivityStatus.CANCELLED

    def test_every_activity_obeys_the_rules(self):
        seed_demo("--seed", "1")
        now = timezone.now()
        activities = Activity.objects.all()

        assert not activities.filter(end__lt=F("start")).exists()
        assert not activities.filter(Q(expected_cost__lt=0) | Q(actual_cost__lt=0)).exists()
        # Actual costs are entered when an activity ends, and only past activities have ended.
        assert (
            not activities.exclude(status=ActivityStatus.ENDED)
            .filter(actual_cost__isnull=False)
            .exists()
        )
        assert not activities.filter(end__gt=now).exclude(status=ActivityStatus.PLANNED).exists()
        assert activities.filter(status=ActivityStatus.ENDED, actual_cost__isnull=False).exists()
        assert {a.status for a in activities} == set(ActivityStatus.values)
        assert {a.kind for a in activities} == {"meeting", "contact", "task"}
        assert {a.expected_cost_currency_id for a in activities} >= {"PLN", "EUR", "USD"}
        assert set(activities.values_list("category", flat=True)) >= set(
            ActivityCategory.objects.values_list("id", flat=True)
        )
        for activity in activities.filter(all_day=False):
            local_start, local_end = activity.local_start, activity.local_end
            assert local_start.hour >= 8 and local_end.hour < 18, activity
            assert local_start.weekday() < 5, activity

    def test_the_same_seed_gives_the_same_data(self):
        seed_demo("--seed", "7", *SMALL)
        first = snapshot()
        delete_demo_data()

        seed_demo("--seed", "7", *SMALL)

        assert snapshot() == first

    def test_another_seed_gives_other_data(self):
        seed_demo("--seed", "7", *SMALL)
        first = snapshot()
        delete_demo_data()

        seed_demo("--seed", "8", *SMALL)

        assert snapshot()["customers"] != first["customers"]

    def test_if_empty_does_nothing_the_second_time(self):
        seed_demo("--if-empty", *SMALL)
        before = snapshot()

        out = seed_demo("--if-empty", *SMALL)

        assert "already has customers" in out
        assert snapshot() == before
        assert get_user_model().objects.filter(username="demo").count() == 1

    def test_without_if_empty_it_refuses_a_database_with_customers(self):
        seed_demo(*SMALL)

        with pytest.raises(CommandError, match="already has customers"):
            seed_demo(*SMALL)
        assert Customer.objects.count() == 12

    def test_an_existing_admin_user_is_left_unchanged(self):
        # Given a database with a real administrator but no customers yet
        UserFactory(username="admin", password="a-real-Secret-42")

        out = seed_demo(*SMALL)

        assert authenticate(username="admin", password="admin") is None
        admin = authenticate(username="admin", password="a-real-Secret-42")
        assert admin is not None and not admin.is_superuser
        assert not Employee.objects.filter(user=admin).exists()
        assert authenticate(username="demo", password="demo") is not None
        assert "left unchanged" in out and "admin" in out


@pytest.mark.django_db
def test_demo_manages_a_team_with_a_sub_team_and_jan_is_a_plain_employee():
    seed_demo(*SMALL)

    demo = authenticate(username="demo", password="demo")
    jan = authenticate(username="jan", password="jan")
    admin = authenticate(username="admin", password="admin")

    team = demo.employee.managed_teams.get()
    assert team.children.count() == 1 and team.children.get().members.exists()
    assert jan.employee.team == team
    assert [g.name for g in jan.groups.all()] == ["employee"]
    assert [g.name for g in demo.groups.all()] == ["manager"]
    assert is_crm_admin(admin) and not is_crm_admin(demo) and not is_crm_admin(jan)
    assert not jan.has_perm("activities.reopen_activity")
