"""The "Change history" of an object: who changed what and when, from the records that
django-simple-history keeps (HistoricalRecords on Activity, Customer, ContactPerson and
the dictionary entries). One reader for every page that shows a history.

Bulk paths write no history (bulk_create, COPY in the benchmark loader, data
migrations): they are loads, not user changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext_lazy as _

HISTORY_LIMIT = 30

KINDS = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: datetime
    who: str
    kind: str
    reason: str
    changes: list[FieldChange] = field(default_factory=list)


def _user_name(user) -> str:
    if user is None:
        return str(_("system"))
    employee = getattr(user, "employee", None)
    return employee.full_name if employee is not None else user.get_username()


class _Display:
    """Shows stored values as people read them: choices by label, foreign keys and
    many-to-many members by name (each related model read once), booleans as Yes/No."""

    def __init__(self, model) -> None:
        self.model = model
        self.names: dict = {}

    def load(self, records, fields) -> None:
        wanted: dict = {}
        for record in records:
            for f in fields:
                if f.many_to_one or f.one_to_one:
                    pk = getattr(record, f.attname)
                    if pk is not None:
                        wanted.setdefault(f.related_model, set()).add(pk)
        for model, pks in wanted.items():
            for obj in model._default_manager.filter(pk__in=pks):
                self.names[(model, obj.pk)] = str(obj)

    def value(self, f, value) -> str:
        if value is None or value == "":
            return "—"
        if f.many_to_many:
            target = f.related_model
            name = target._meta.model_name
            pks = [row.get(name) for row in value]
            missing = [pk for pk in pks if (target, pk) not in self.names]
            for obj in target._default_manager.filter(pk__in=missing):
                self.names[(target, obj.pk)] = str(obj)
            return ", ".join(sorted(self.names.get((target, pk), f"#{pk}") for pk in pks)) or "—"
        if f.many_to_one or f.one_to_one:
            return self.names.get((f.related_model, value), f"#{value}")
        if f.choices:
            return str(dict(f.flatchoices).get(value, value))
        if isinstance(value, bool):
            return str(_("Yes") if value else _("No"))
        return str(value)


def change_history(obj, *, limit: int = HISTORY_LIMIT) -> list[HistoryEntry]:
    """The latest `limit` changes of `obj`, newest first, each with its field changes
    (old → new). A fixed number of queries per shown change at most (the diff of
    many-to-many members reads them), none per field."""
    records = list(
        obj.history.select_related("history_user__employee").order_by(
            "-history_date", "-history_id"
        )[: limit + 1]
    )
    model = type(obj)
    fields = {
        f.name: f
        for f in model._meta.get_fields()
        if getattr(f, "concrete", False) or getattr(f, "many_to_many", False)
    }
    display = _Display(model)
    display.load(records, [f for f in fields.values() if not f.many_to_many])
    entries = []
    for newer, older in zip(records, [*records[1:], None], strict=False):
        if len(entries) == limit:
            break
        changes = []
        if older is not None and newer.history_type == "~":
            delta = newer.diff_against(older)
            for change in delta.changes:
                f = fields.get(change.field)
                if f is None:
                    continue
                changes.append(
                    FieldChange(
                        label=str(f.verbose_name).capitalize(),
                        old=display.value(f, change.old),
                        new=display.value(f, change.new),
                    )
                )
            if not changes:
                continue  # a save that changed nothing shown (only the version, say)
        entries.append(
            HistoryEntry(
                when=newer.history_date,
                who=_user_name(newer.history_user),
                kind=str(KINDS.get(newer.history_type, newer.history_type)),
                reason=newer.history_change_reason or "",
                changes=changes,
            )
        )
    return entries
