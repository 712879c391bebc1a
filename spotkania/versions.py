"""Optimistic locking: a save made on an older version of a record is refused.

Activities, customers and contact persons carry a `version` that every save through their
services raises by one. A page or API client sends back the version it read; when the row
has moved on meanwhile, the service raises `StaleVersion` with what differs between the
saved record ("theirs") and the submission ("yours"), and writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Change:
    """One field whose saved value differs from the submitted one."""

    field: str
    label: str
    theirs: str
    yours: str

    def as_dict(self) -> dict:
        return {
            "field": self.field,
            "label": self.label,
            "theirs": self.theirs,
            "yours": self.yours,
        }


class StaleVersion(Exception):
    """The record was saved by someone else after the caller read it (nothing was written)."""

    def __init__(self, *, current_version: int, changes: list[Change]) -> None:
        self.current_version = current_version
        self.changes = changes
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return _(
            "Someone else saved this record after you opened it (it is now at version "
            "%(version)d). Your changes were not saved."
        ) % {"version": self.current_version}


def show(value) -> str:
    """A value as a person reads it, in the active language and time zone."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, Decimal):
        return formats.number_format(value, use_l10n=True)
    if isinstance(value, (list, tuple, set)):
        return ", ".join(sorted(str(v) for v in value)) or "—"
    return str(value)


def label_of(model: type[models.Model], name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:  # a name that is not a model field (a form-only value)
        return name


def changes_between(instance: models.Model, values: dict, names: Iterable[str]) -> list[Change]:
    """The fields among `names` where the saved `instance` and the submitted `values` differ."""
    changes = []
    for name in names:
        if name not in values:
            continue
        theirs, yours = getattr(instance, name), values[name]
        if theirs != yours:
            changes.append(Change(name, label_of(type(instance), name), show(theirs), show(yours)))
    return changes


def check_version(
    instance: models.Model, *, expected: int | None, values: dict, names: Iterable[str]
) -> None:
    """Refuses a save based on another version than the (locked) row's; None skips it."""
    if expected is None or expected == instance.version:
        return
    raise StaleVersion(
        current_version=instance.version,
        changes=changes_between(instance, values, names),
    )


def parse_if_match(header: str | None) -> int | None:
    """The version in an `If-Match` header (`"3"`, `W/"3"` or `3`); None when absent or `*`.

    Raises ValueError for anything else."""
    if header is None or header.strip() in ("", "*"):
        return None
    text = header.strip().split(",")[0].strip()
    if text.startswith("W/"):
        text = text[2:]
    return int(text.strip('"'))


def etag(version: int) -> str:
    return f'"{version}"'
