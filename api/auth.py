"""Bearer-token authentication of the API.

A valid token makes its user the request's user, with that user's time zone active (as
the pages have it, through employees.middleware), so dates in filters mean the same as
on the pages.

The token, its user and the user's employee are read from the database once and then
kept in the cache for `TOKEN_CACHE_SECONDS`, keyed by the token's hash, together with
the user's role and the employees they may see: a busy integration costs one lookup
every few seconds, not one per request (the lookup was a fifth of the time of a list
request). So a token revoked in the admin, or whose user is deactivated, keeps working
for at most that long, and a change of the user's role, team or time zone reaches the API
as late. Revoking a token with `DELETE /auth/token` or on the profile page drops its entry
at once (`forget`): everywhere when the cache is Redis (spotkania/deployment.py); without
Redis each process has its own cache, and the others forget it within
`TOKEN_CACHE_SECONDS`. Unknown tokens are never cached: a new token works at once, and
guessing fills no cache.
"""

from __future__ import annotations

import zoneinfo
from datetime import timedelta

from django.core.cache import cache
from django.utils import timezone
from ninja.security import HttpBearer

from api.models import ApiToken, hash_token
from employees.roles import is_crm_admin
from employees.selectors import team_employee_ids

# last_used_at is a hint for an administrator, not an audit log: writing it at most once
# a minute keeps a busy integration from writing a row on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)
MAX_TOKEN_LENGTH = 200
TOKEN_CACHE_SECONDS = 5


def _cache_key(key_hash: str) -> str:
    return f"api-token:{key_hash}"


def _load(key_hash: str) -> ApiToken | None:
    """The usable token of this hash with its user and employee, its use recorded."""
    api_token = (
        ApiToken.objects.usable()
        .select_related("user", "user__employee")
        # Kept out of the cache; loaded only if something asks for it (nothing does).
        .defer("user__password")
        .filter(key_hash=key_hash)
        .first()
    )
    if api_token is None:
        return None
    now = timezone.now()
    if api_token.last_used_at is None or now - api_token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        api_token.last_used_at = now
    # The user's role and their teams' employees (whom they may see, and plan and change
    # activities for), worked out now: both functions keep their answer on the user
    # object, which is cached with the token, so their queries (group, team tree) are
    # made once per lookup too, not on every request; also when every user sees every
    # activity (SPOTKANIA_ALL_ACTIVITIES_VISIBLE), which does not ask for the teams.
    is_crm_admin(api_token.user)
    team_employee_ids(api_token.user)
    return api_token


def forget(api_token: ApiToken) -> None:
    """Drops the cached lookup of `api_token`: the next request reads the database."""
    cache.delete(_cache_key(api_token.key_hash))


class BearerToken(HttpBearer):
    def authenticate(self, request, token: str):
        if not token or len(token) > MAX_TOKEN_LENGTH:
            return None
        key_hash = hash_token(token)
        api_token = cache.get(_cache_key(key_hash))
        if api_token is None:
            api_token = _load(key_hash)
            if api_token is None:
                return None
            cache.set(_cache_key(key_hash), api_token, TOKEN_CACHE_SECONDS)
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
