"""employees.backends.CrmBackend: ModelBackend's answers in fewer queries."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from employees.backends import CrmBackend
from employees.roles import ADMINISTRATOR, MANAGER, is_crm_admin
from employees.tests.factories import EmployeeFactory, UserFactory


@pytest.mark.django_db
def test_the_user_comes_with_their_employee_and_role_in_one_query(
    django_assert_num_queries,
):
    employee = EmployeeFactory(user=UserFactory())
    admin = UserFactory()
    admin.groups.add(Group.objects.get(name=ADMINISTRATOR))
    nobody = UserFactory()  # a login without an employee

    with django_assert_num_queries(1):
        user = CrmBackend().get_user(employee.user.pk)
        assert user.employee == employee and not is_crm_admin(user)
    with django_assert_num_queries(1):
        user = CrmBackend().get_user(admin.pk)
        assert getattr(user, "employee", None) is None and is_crm_admin(user)
    assert getattr(CrmBackend().get_user(nobody.pk), "employee", None) is None
    assert CrmBackend().get_user(10**9) is None
    nobody.is_active = False
    nobody.save()
    assert CrmBackend().get_user(nobody.pk) is None


@pytest.mark.django_db
def test_permissions_are_model_backends_in_one_query(django_assert_num_queries):
    user = UserFactory()
    user.groups.add(Group.objects.get(name=MANAGER))
    user.user_permissions.add(Permission.objects.get(codename="delete_customer"))
    superuser = UserFactory(is_superuser=True)
    inactive = UserFactory(is_active=False)
    inactive.user_permissions.add(Permission.objects.get(codename="delete_customer"))

    for who in (user, superuser, inactive, UserFactory()):
        expected = ModelBackend().get_all_permissions(type(who).objects.get(pk=who.pk))
        fresh = type(who).objects.get(pk=who.pk)
        with django_assert_num_queries(0 if not who.is_active else 1):
            assert CrmBackend().get_all_permissions(fresh) == expected
        assert CrmBackend().has_perm(fresh, "customers.delete_customer") == (
            "customers.delete_customer" in expected
        )
    assert "customers.delete_customer" in CrmBackend().get_all_permissions(user)
    assert "activities.reopen_activity" in CrmBackend().get_all_permissions(user)


@pytest.mark.django_db
def test_a_page_reads_the_user_and_employee_once(client):
    employee = EmployeeFactory(user=UserFactory())
    client.force_login(employee.user)

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/customers/").status_code == 200
    sql = [q["sql"] for q in queries.captured_queries]
    assert sum('FROM "auth_user"' in s for s in sql) == 1
    assert not any('FROM "employees_employee" WHERE' in s and "user_id" in s for s in sql)


@pytest.mark.django_db
def test_whom_a_user_sees_is_known_without_the_team_tree_unless_they_manage(
    django_assert_num_queries,
):
    from employees.models import Team
    from employees.selectors import team_employee_ids

    boss = EmployeeFactory(user=UserFactory())
    seller = EmployeeFactory(user=UserFactory(), team=Team.objects.create(name="S", manager=boss))
    sub = Team.objects.create(name="S2", parent=seller.team)
    junior = EmployeeFactory(user=UserFactory(), team=sub)

    user = CrmBackend().get_user(seller.user.pk)
    with django_assert_num_queries(0):
        assert team_employee_ids(user) == {seller.pk}
    user = CrmBackend().get_user(boss.user.pk)
    with django_assert_num_queries(2):  # the tree and its members
        assert team_employee_ids(user) == {boss.pk, seller.pk, junior.pk}
    # The same answers as without the backend's annotations.
    for employee in (boss, seller, junior):
        plain = type(employee.user).objects.get(pk=employee.user.pk)
        assert team_employee_ids(plain) == team_employee_ids(
            CrmBackend().get_user(employee.user.pk)
        )
