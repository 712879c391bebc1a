"""Roles of the CRM as Django groups: employee, manager, administrator.

The groups and their permissions are created by a data migration
(`employees/migrations/0003_roles.py`); `ensure_role_groups` is that one definition, also
used after a test flush empties the tables. What a role may see and edit follows the team
structure (`activities.selectors.visible_employee_ids`), not only these permissions.
"""

from __future__ import annotations

EMPLOYEE = "employee"
MANAGER = "manager"
ADMINISTRATOR = "administrator"

_EMPLOYEE_PERMISSIONS = [
    "activities.view_activity",
    "activities.add_activity",
    "activities.change_activity",
    "activities.delete_activity",
    "customers.view_customer",
    "customers.add_customer",
    "customers.change_customer",
    "customers.view_contactperson",
    "customers.add_contactperson",
    "customers.change_contactperson",
    "employees.view_employee",
    "dictionaries.view_activitypriority",
    "dictionaries.view_activitycategory",
    "dictionaries.view_currency",
    "dictionaries.view_exchangerate",
]
_MANAGER_PERMISSIONS = [
    *_EMPLOYEE_PERMISSIONS,
    "activities.reopen_activity",
    "employees.view_team",
]
# The administrator holds every permission of the CRM's own apps.
_ADMINISTRATOR_APPS = ["activities", "customers", "employees", "dictionaries", "schedule"]


def is_crm_admin(user) -> bool:
    """An administrator of the CRM: a superuser or a member of the group "administrator".

    Administrators see and edit everything and configure dictionaries, currencies and rates.
    The answer is cached on the user object for the request."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_crm_admin", None)
    if cached is None:
        cached = user.groups.filter(name=ADMINISTRATOR).exists()
        user._crm_admin = cached
    return cached


def ensure_role_groups(apps) -> None:
    """Creates the three groups with their permissions (idempotent)."""
    from django.contrib.auth.management import create_permissions

    # In a migration the app configs are stubs without models_module, which
    # create_permissions() needs set; the real ones are left as they are.
    for app_config in apps.get_app_configs():
        original = getattr(app_config, "models_module", None)
        app_config.models_module = original or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = original
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def permissions(names: list[str]):
        wanted = [tuple(name.split(".")) for name in names]
        found = Permission.objects.filter(
            content_type__app_label__in={a for a, _ in wanted},
            codename__in={c for _, c in wanted},
        ).select_related("content_type")
        return [p for p in found if (p.content_type.app_label, p.codename) in wanted]

    for name, perms in [
        (EMPLOYEE, permissions(_EMPLOYEE_PERMISSIONS)),
        (MANAGER, permissions(_MANAGER_PERMISSIONS)),
        (
            ADMINISTRATOR,
            list(Permission.objects.filter(content_type__app_label__in=_ADMINISTRATOR_APPS)),
        ),
    ]:
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(*perms)
