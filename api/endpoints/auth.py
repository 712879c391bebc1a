"""POST /auth/token issues a token for a username and password; DELETE revokes it."""

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from ninja import Router, Status

from api.auth import forget
from api.models import ApiToken
from api.schemas import ErrorOut, TokenIn, TokenOut
from spotkania.throttling import lockout_message

router = Router(tags=["auth"])


@router.post(
    "/token",
    auth=None,
    response={200: TokenOut, 401: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Get a token for a username and password",
    description=(
        "Too many failed attempts for one username from one address lock that pair for a "
        "while, as on the login page: 429 with Retry-After."
    ),
)
def token_create(request, payload: TokenIn):
    # The request goes along, so django-axes (the first backend) counts and locks.
    user = authenticate(request, username=payload.username, password=payload.password)
    if getattr(request, "axes_locked_out", False):
        return Status(429, {"detail": lockout_message()})
    if user is None or not user.is_active:
        message = _(
            "Please enter a correct %(username)s and password. Note that both fields may be "
            "case-sensitive."
        ) % {"username": "username"}
        return Status(401, {"detail": message})
    _token, raw = ApiToken.issue(user=user, name=payload.name)
    return Status(200, {"token": raw})


@router.delete(
    "/token",
    response={204: None, 401: ErrorOut},
    summary="Revoke the token of this request",
)
def token_revoke(request):
    request.auth.revoke()
    forget(request.auth)
    return Status(204, None)
