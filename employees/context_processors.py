"""What every page needs to know about the user's role (the Configuration menu)."""

from django.utils.functional import SimpleLazyObject

from employees.roles import is_crm_admin


def roles(request) -> dict:
    user = getattr(request, "user", None)
    return {"crm_admin": SimpleLazyObject(lambda: is_crm_admin(user))}
