"""The authentication backend: Django's ModelBackend, reading fewer times per request.

Every page needs the user of the session, their employee (time zone, visibility) and
whether they are an administrator (employees.roles.is_crm_admin) or manage a team (whose
members' activities they see: employees.selectors.team_employee_ids), and a page that
asks for a permission needs all of the user's permissions. ModelBackend and the selectors
read these in six queries (the user, the employee, the group, the teams, the user's
permissions, their groups' permissions); here in two, with the same answers: the user
with their employee, role and whether they manage a team, and the permissions of both
kinds at once.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db.models import Exists, OuterRef, Q

from employees.models import Team
from employees.roles import ADMINISTRATOR


class CrmBackend(ModelBackend):
    def get_user(self, user_id):
        User = get_user_model()
        administrator = Group.objects.filter(user=OuterRef("pk"), name=ADMINISTRATOR)
        managed = Team.objects.filter(manager__user=OuterRef("pk"))
        try:
            user = (
                User._default_manager.select_related("employee")
                # The attributes is_crm_admin and team_employee_ids keep their answers in
                # for the request: an employee who manages no team sees only their own.
                .annotate(_crm_admin=Exists(administrator), _manages_team=Exists(managed))
                .get(pk=user_id)
            )
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj, obj=None):
        """As ModelBackend's (kept for the request in the same attribute), in one query."""
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            permissions = Permission.objects.all()
            if not user_obj.is_superuser:
                permissions = permissions.filter(
                    Q(user=user_obj) | Q(group__user=user_obj)
                ).distinct()
            user_obj._perm_cache = {
                f"{app_label}.{codename}"
                for app_label, codename in permissions.values_list(
                    "content_type__app_label", "codename"
                )
            }
        return user_obj._perm_cache
