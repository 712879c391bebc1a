"""Optimistic locking over HTTP: GET answers an `ETag` (the record's version); a PATCH sends
it back in `If-Match` or as a `version` field, and a stale one answers 409 with what
changed (see `api.errors`, handler of `StaleVersion`)."""

from django.http import HttpResponse
from django.utils.translation import gettext as _

from api.errors import ApiValidationError
from spotkania.versions import etag, parse_if_match

VERSION_DESCRIPTION = (
    '\n\n**Versions.** The answer carries `ETag: "<version>"`. Send it back in `If-Match` '
    "(or the body's `version`) and a change saved by someone else meanwhile is refused with "
    "409: `detail`, `version` (the current one) and `changes`, one `{field, label, theirs, "
    "yours}` per field whose saved value differs from yours. Without either, no check."
)


def expected_version(request, sent: int | None) -> int | None:
    """The version the client read: `If-Match` first, else the body's `version`."""
    try:
        from_header = parse_if_match(request.headers.get("If-Match"))
    except ValueError:
        raise ApiValidationError(
            {"If-Match": [_('Send the version from the ETag, e.g. If-Match: "3".')]}
        ) from None
    return from_header if from_header is not None else sent


def set_etag(response: HttpResponse, version: int) -> None:
    response["ETag"] = etag(version)
