"""Bearer-token authentication of the API.

A valid token makes its user the request's user, with that user's time zone active (as
the pages have it, through employees.middleware), so dates in filters mean the same as
on the pages.
"""

from __future__ import annotations

import zoneinfo
from datetime import timedelta

from django.utils import timezone
from ninja.security import HttpBearer

from api.models import ApiToken, hash_token

# last_used_at is a hint for an administrator, not an audit log: writing it at most once
# a minute keeps a busy integration from writing a row on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)
MAX_TOKEN_LENGTH = 200


class BearerToken(HttpBearer):
    def authenticate(self, request, token: str):
        if not token or len(token) > MAX_TOKEN_LENGTH:
            return None
        api_token = (
            ApiToken.objects.usable()
            .select_related("user", "user__employee")
            .filter(key_hash=hash_token(token))
            .first()
        )
        if api_token is None:
            return None
        now = timezone.now()
        if api_token.last_used_at is None or now - api_token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
            api_token.last_used_at = now
        user = api_token.user
        request.user = user
        employee = getattr(user, "employee", None)
        if employee is not None and employee.time_zone:
            try:
                timezone.activate(zoneinfo.ZoneInfo(employee.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        return api_token


def employee_of(user):
    """The employee linked to `user`, or None (an administrator may have none).

    The reverse one-to-one raises a subclass of AttributeError when there is none."""
    return getattr(user, "employee", None)
