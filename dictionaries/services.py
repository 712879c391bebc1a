"""The rules of the CRM dictionaries (activity priorities and categories).

Shared by the Configuration pages and the admin. Every write runs in one transaction and
first locks all rows of its dictionary: the dictionaries are a handful of rows, and
serialising their writers is what keeps "names are unique" and "positions are a clean
1..n sequence" true when two administrators click at the same time. Problems are reported
as a `ValidationError`, keyed by field name where a field is at fault, so a form can show
them beside the field.
"""

from __future__ import annotations

from typing import Literal, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from dictionaries.models import ActivityPriority, DictionaryEntry

Entry = TypeVar("Entry", bound=DictionaryEntry)

# Every activity has a priority, so a new one must always get a default; a category is
# optional, so that dictionary may have no default at all.
DEFAULT_REQUIRED: frozenset[type[DictionaryEntry]] = frozenset({ActivityPriority})

NAME_FIELDS = ("name_pl", "name_en")
NAME_MAX_LENGTH = 100


def _lock_all(model: type[Entry]) -> list[Entry]:
    """Locks and returns every row of the dictionary, in display order."""
    return list(model.objects.select_for_update().order_by("position", "id"))


def _locked(entries: list[Entry], entry: Entry) -> Entry:
    """The freshly read copy of `entry` among the locked rows (someone may have changed it)."""
    for candidate in entries:
        if candidate.pk == entry.pk:
            return candidate
    raise type(entry).DoesNotExist(f"{type(entry).__name__} {entry.pk} no longer exists")


def _clean_names(
    *, entries: list[DictionaryEntry], exclude: DictionaryEntry | None, names: dict[str, str]
) -> dict[str, str]:
    """Strips the names and checks them: present, not too long, unique per language.

    Uniqueness is compared with `casefold()` in Python rather than `iexact` in SQL:
    SQLite folds the case of ASCII letters only, so "Żółty" and "żółty" would pass there
    and fail on PostgreSQL. The whole dictionary is already in memory (locked).
    """
    cleaned = {field: (names.get(field) or "").strip() for field in NAME_FIELDS}
    errors: dict[str, list[str]] = {}
    for field, value in cleaned.items():
        if not value:
            errors.setdefault(field, []).append(_("Enter a name."))
        elif len(value) > NAME_MAX_LENGTH:
            errors.setdefault(field, []).append(
                _("A name has at most %(max)d characters.") % {"max": NAME_MAX_LENGTH}
            )
        elif any(
            getattr(other, field).casefold() == value.casefold()
            for other in entries
            if exclude is None or other.pk != exclude.pk
        ):
            errors.setdefault(field, []).append(
                _("“%(name)s” is already in this dictionary.") % {"name": value}
            )
    if errors:
        raise ValidationError(errors)
    return cleaned


def dictionary_entry_names_validate(
    *, model: type[DictionaryEntry], name_pl: str, name_en: str, entry=None
) -> dict[str, str]:
    """The names stripped, or a per-field `ValidationError`: for forms that save elsewhere
    (the admin). Without a lock it is advice; the services check again when they write."""
    entries = list(model.objects.only("pk", *NAME_FIELDS))
    return _clean_names(
        entries=entries, exclude=entry, names={"name_pl": name_pl, "name_en": name_en}
    )


@transaction.atomic
def dictionary_entry_create(*, model: type[Entry], name_pl: str, name_en: str) -> Entry:
    """Adds an active, non-default entry at the end of the dictionary."""
    entries = _lock_all(model)
    names = _clean_names(
        entries=entries, exclude=None, names={"name_pl": name_pl, "name_en": name_en}
    )
    position = max((e.position for e in entries), default=0) + 1
    return model.objects.create(**names, position=position)


@transaction.atomic
def dictionary_entry_rename(*, entry: Entry, name_pl: str, name_en: str) -> Entry:
    """Renames an entry in both languages; activities that use it show the new name."""
    entries = _lock_all(type(entry))
    entry = _locked(entries, entry)
    names = _clean_names(
        entries=entries, exclude=entry, names={"name_pl": name_pl, "name_en": name_en}
    )
    for field, value in names.items():
        setattr(entry, field, value)
    entry.save(update_fields=list(NAME_FIELDS))
    return entry


@transaction.atomic
def dictionary_entry_move(*, entry: Entry, direction: Literal["up", "down"]) -> Entry:
    """Swaps an entry with its neighbour above or below; at either end, nothing moves.

    Positions are renumbered 1..n on the way, so entries that share a position (added in
    the admin, say) get a definite order instead of one that depends on their ids.
    """
    if direction not in ("up", "down"):
        raise ValueError(f"direction must be 'up' or 'down', not {direction!r}")
    entries = _lock_all(type(entry))
    entry = _locked(entries, entry)
    index = entries.index(entry)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(entries):
        entries[index], entries[other] = entries[other], entries[index]
    for position, item in enumerate(entries, start=1):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position"])
    return entry


@transaction.atomic
def dictionary_entry_set_default(*, entry: Entry) -> Entry:
    """Makes `entry` the one default of its dictionary, clearing the previous default."""
    model = type(entry)
    entry = _locked(_lock_all(model), entry)
    if not entry.is_active:
        raise ValidationError(
            _("“%(name)s” is inactive: activate it before making it the default.")
            % {"name": entry.name},
            code="inactive",
        )
    if not entry.is_default:
        # Clear first: the database allows one default per table at any moment.
        model.objects.filter(is_default=True).update(is_default=False)
        entry.is_default = True
        entry.save(update_fields=["is_default"])
    return entry


@transaction.atomic
def dictionary_entry_clear_default(*, entry: Entry) -> Entry:
    """Leaves the dictionary without a default; refused where a default is required."""
    model = type(entry)
    entry = _locked(_lock_all(model), entry)
    if entry.is_default and model in DEFAULT_REQUIRED:
        raise ValidationError(
            _("There must always be a default %(dictionary)s: choose another one instead.")
            % {"dictionary": model._meta.verbose_name},
            code="default_required",
        )
    if entry.is_default:
        entry.is_default = False
        entry.save(update_fields=["is_default"])
    return entry


@transaction.atomic
def dictionary_entry_deactivate(*, entry: Entry) -> Entry:
    """Stops offering an entry for new activities; the activities that use it keep it.

    The default priority cannot be deactivated (a new activity always needs one): the
    user is told to choose another default first. A default category simply stops being
    the default, since activities may have no category.
    """
    model = type(entry)
    entry = _locked(_lock_all(model), entry)
    if entry.is_default and model in DEFAULT_REQUIRED:
        raise ValidationError(
            _("“%(name)s” is the default %(dictionary)s. Choose another default first.")
            % {"name": entry.name, "dictionary": model._meta.verbose_name},
            code="default",
        )
    if entry.is_active or entry.is_default:
        entry.is_active = False
        entry.is_default = False
        entry.save(update_fields=["is_active", "is_default"])
    return entry


@transaction.atomic
def dictionary_entry_activate(*, entry: Entry) -> Entry:
    """Offers an entry for new activities again."""
    entry = _locked(_lock_all(type(entry)), entry)
    if not entry.is_active:
        entry.is_active = True
        entry.save(update_fields=["is_active"])
    return entry


@transaction.atomic
def dictionary_entry_delete(*, entry: DictionaryEntry) -> None:
    """Deletes an entry that no activity uses (a typo, say); one in use is deactivated.

    The default priority is not deleted either, for the same reason it is not
    deactivated. The foreign keys to dictionaries are PROTECT, so a use that appears
    between the check and the delete still stops the delete.
    """
    model = type(entry)
    entry = _locked(_lock_all(model), entry)
    if entry.is_default and model in DEFAULT_REQUIRED:
        raise ValidationError(
            _("“%(name)s” is the default %(dictionary)s. Choose another default first.")
            % {"name": entry.name, "dictionary": model._meta.verbose_name},
            code="default",
        )
    in_use = ValidationError(
        _("“%(name)s” is used by activities and cannot be deleted. Deactivate it instead.")
        % {"name": entry.name},
        code="in_use",
    )
    if entry.activities.exists():
        raise in_use
    try:
        entry.delete()
    except ProtectedError as exc:
        raise in_use from exc
