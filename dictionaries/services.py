"""The rules of the CRM dictionaries (activity priorities and categories).

Shared by the Configuration pages and the admin. Every write runs in one transaction and
first locks all rows of its dictionary: the dictionaries are a handful of rows, and
serialising their writers is what keeps "names are unique" and "positions are a clean
1..n sequence" true when two administrators click at the same time. Problems are reported
as a `ValidationError`, keyed by field name where a field is at fault, so a form can show
them beside the field.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from dictionaries.models import ActivityPriority, Currency, DictionaryEntry, ExchangeRate
from dictionaries.money import Money
from spotkania import limits

logger = logging.getLogger("dictionaries.rates")

Entry = TypeVar("Entry", bound=DictionaryEntry)

# Every activity has a priority, so a new one must always get a default; a category is
# optional, so that dictionary may have no default at all.
DEFAULT_REQUIRED: frozenset[type[DictionaryEntry]] = frozenset({ActivityPriority})

NAME_FIELDS = ("name_pl", "name_en")


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
        elif too_long := limits.length_messages(DictionaryEntry, field, value):
            errors.setdefault(field, []).extend(too_long)
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


# --- currencies and exchange rates ----------------------------------------------------

RATE_PLACES = ExchangeRate._meta.get_field("rate").decimal_places
RATE_MAX = Decimal(10) ** (ExchangeRate._meta.get_field("rate").max_digits - RATE_PLACES)


@dataclass(frozen=True)
class ConvertedMoney:
    """An amount in the base currency, with the original and the rate that made it."""

    money: Money
    original: Money
    rate: Decimal
    rate_date: date | None


@dataclass(frozen=True)
class Missing:
    """An amount that could not be converted: no rate on or before its day. Reports count
    it as missing; it is never taken as zero."""

    original: Money
    on: date


def round_money(amount: Decimal, places: int) -> Decimal:
    """Half-up to `places` decimal places, as accountants round (2.345 -> 2.35)."""
    return amount.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


def money_convert(*, money: Money, on: date) -> ConvertedMoney | Missing:
    """`money` in the base currency at the latest rate on or before `on`.

    A weekend or holiday has no NBP table, so the previous business day's rate applies;
    before the first rate of a currency the amount is `Missing`. The base currency
    converts to itself. The result is rounded half-up to the base currency's places.
    """
    base = Currency.base()
    if money.currency == base.code:
        amount = round_money(money.amount, base.minor_unit)
        return ConvertedMoney(Money(amount, base.code), money, Decimal(1), None)
    found = (
        ExchangeRate.objects.filter(currency_id=money.currency, date__lte=on)
        .order_by("-date")
        .values_list("rate", "date")
        .first()
    )
    if found is None:
        return Missing(money, on)
    rate, rate_date = found
    amount = round_money(money.amount * rate, base.minor_unit)
    return ConvertedMoney(Money(amount, base.code), money, rate, rate_date)


def _clean_rate(rate: Decimal | None) -> Decimal:
    if rate is None or not isinstance(rate, Decimal) or not rate.is_finite():
        raise ValidationError({"rate": _("Enter a rate, e.g. 4,2705.")})
    if rate <= 0:
        raise ValidationError({"rate": _("A rate must be greater than zero.")})
    if rate >= RATE_MAX:
        raise ValidationError(
            {"rate": _("The rate is too large: it must be less than %(max)s.") % {"max": RATE_MAX}}
        )
    exponent = rate.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > RATE_PLACES:
        raise ValidationError(
            {"rate": _("A rate has at most %(places)d decimal places.") % {"places": RATE_PLACES}}
        )
    return rate.quantize(Decimal(1).scaleb(-RATE_PLACES))


RateChange = Literal["created", "updated", "unchanged"]


def _rate_write(*, currency: Currency, on: date, rate: Decimal, source: str) -> RateChange:
    """Creates or updates one rate (the caller holds the transaction); logs a change."""
    if currency.is_base:
        raise ValidationError(
            {
                "currency": _("%(code)s is the base currency: its rate is always 1.")
                % {"code": currency.code}
            }
        )
    rate = _clean_rate(rate)
    existing = ExchangeRate.objects.select_for_update().filter(currency=currency, date=on).first()
    if existing is None:
        ExchangeRate.objects.create(currency=currency, date=on, rate=rate, source=source[:100])
        return "created"
    if existing.rate == rate:
        return "unchanged"
    logger.info(
        "Exchange rate %s on %s changed from %s to %s (%s)",
        currency.code,
        on.isoformat(),
        existing.rate.normalize(),
        rate.normalize(),
        source or "no source",
    )
    existing.rate, existing.source = rate, source[:100]
    existing.save(update_fields=["rate", "source", "updated_at"])
    return "updated"


@transaction.atomic
def exchange_rate_set(
    *, currency: Currency, on: date, rate: Decimal, source: str = "manual"
) -> ExchangeRate:
    """Enters the rate of `currency` on a day by hand (or replaces the one there is)."""
    _rate_write(currency=currency, on=on, rate=rate, source=source)
    return ExchangeRate.objects.get(currency=currency, date=on)


@dataclass(frozen=True)
class RateRow:
    """One rate read from a file: a currency code, a day and the value of ONE unit."""

    code: str
    on: date
    rate: Decimal
    source: str = ""


@dataclass
class RateImport:
    """What an import did: rows created, updated, unchanged, and codes skipped."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    changes: list[tuple[str, date, Decimal, Decimal]] = dataclasses.field(default_factory=list)
    unknown: dict[str, int] = dataclasses.field(default_factory=dict)
    base_skipped: int = 0


@transaction.atomic
def exchange_rates_import(*, rows: Iterable[RateRow]) -> RateImport:
    """Writes imported rates in one transaction: the same file twice changes nothing, a
    changed rate is updated (and logged), a currency that is not configured is skipped
    and reported. Rates of the base currency itself are skipped too."""
    currencies = {c.code: c for c in Currency.objects.all()}
    result = RateImport()
    for row in rows:
        currency = currencies.get(row.code)
        if currency is None:
            result.unknown[row.code] = result.unknown.get(row.code, 0) + 1
            continue
        if currency.is_base:
            result.base_skipped += 1
            continue
        before = (
            ExchangeRate.objects.filter(currency=currency, date=row.on)
            .values_list("rate", flat=True)
            .first()
        )
        change = _rate_write(currency=currency, on=row.on, rate=row.rate, source=row.source)
        setattr(result, change, getattr(result, change) + 1)
        if change == "updated":
            result.changes.append((row.code, row.on, before, _clean_rate(row.rate)))
    return result


@transaction.atomic
def currency_activate(*, currency: Currency) -> Currency:
    """Offers a currency for new costs again."""
    currency = Currency.objects.select_for_update().get(pk=currency.pk)
    if not currency.is_active:
        currency.is_active = True
        currency.save(update_fields=["is_active"])
    return currency


@transaction.atomic
def currency_deactivate(*, currency: Currency) -> Currency:
    """Stops offering a currency for new costs; activities that use it keep it, and its
    rates still convert them. The base currency stays active."""
    currency = Currency.objects.select_for_update().get(pk=currency.pk)
    if currency.is_base:
        raise ValidationError(
            _("%(code)s is the base currency: choose another base before deactivating it.")
            % {"code": currency.code},
            code="base",
        )
    if currency.is_active:
        currency.is_active = False
        currency.save(update_fields=["is_active"])
    return currency


@transaction.atomic
def currency_set_base(*, currency: Currency) -> Currency:
    """Makes `currency` the base of every sum (and active). Existing rates are NOT
    recalculated: they stay in the old base, so they must be re-entered or re-imported
    in the new one; the configuration page warns before doing this."""
    locked = list(Currency.objects.select_for_update().order_by("code"))
    currency = next(c for c in locked if c.pk == currency.pk)
    if not currency.is_base:
        # Clear first: the database allows one base at any moment.
        Currency.objects.filter(is_base=True).update(is_base=False)
        currency.is_base, currency.is_active = True, True
        currency.save(update_fields=["is_base", "is_active"])
    return currency


@transaction.atomic
def currency_add(*, code: str) -> Currency:
    """Adds an ISO 4217 currency with its name and decimal places from Babel (CLDR data),
    active; an existing one is activated instead."""
    from babel.numbers import get_currency_name, get_currency_precision, list_currencies

    code = code.strip().upper()
    if code not in list_currencies():
        raise ValidationError(
            {"code": _("“%(code)s” is not an ISO 4217 currency code.") % {"code": code}}
        )
    places = get_currency_precision(code)
    if places > settings.MONEY_DECIMAL_PLACES:
        # Amount columns keep settings.MONEY_DECIMAL_PLACES places: a 3-place currency
        # (KWD, BHD, ...) would lose its last digit on every save.
        raise ValidationError(
            {
                "code": _(
                    "%(code)s amounts have %(places)d decimal places; this installation "
                    "stores %(stored)d, so it cannot record them exactly."
                )
                % {"code": code, "places": places, "stored": settings.MONEY_DECIMAL_PLACES}
            }
        )
    currency, created = Currency.objects.get_or_create(
        code=code,
        defaults={"name": get_currency_name(code, locale="en"), "minor_unit": places},
    )
    if not created and not currency.is_active:
        currency.is_active = True
        currency.save(update_fields=["is_active"])
    return currency
