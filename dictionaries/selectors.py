"""Reads of the dictionaries, currencies and exchange rates shared by the configuration
pages, the services and the API."""

from __future__ import annotations

from datetime import date

from babel.numbers import get_currency_name
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Count, Max, QuerySet
from django.utils.translation import get_language

from dictionaries.models import ActivityCategory, ActivityPriority, Currency, ExchangeRate

# The dictionaries a save reads every time (the default priority, the currencies) and
# every list page's filters (the priorities and categories) change a few times a year:
# they are kept in the cache (Redis, shared by every process, in production) instead of
# two round trips per save and per page. Every change through the models (the
# configuration pages, the admin, the services) forgets them at once and again when its
# transaction commits (`forget_dictionaries`); a change made past the models (SQL by
# hand, a data migration), or read by another process just before the change committed
# and kept just after, shows within this many seconds. Without Redis each process has its
# own cache, so other processes see a change within the same time.
DICTIONARY_CACHE_SECONDS = 60
_DEFAULT_PRIORITY = "dictionaries:default-priority"
_CURRENCIES = "dictionaries:currencies"
_ENTRIES = {
    model: f"dictionaries:entries:{model.__name__}"
    for model in (ActivityPriority, ActivityCategory)
}
_KEYS = (_DEFAULT_PRIORITY, _CURRENCIES, *_ENTRIES.values())


def _cached(key: str, read):
    """`read()` (from the primary: a lagging replica, which report pages read from, must
    not fill the shared cache), kept under `key`. A transaction that changed a dictionary
    reads the database, its own changes included, and keeps nothing: it may roll back."""
    if _changed_in_this_transaction(connections[DEFAULT_DB_ALIAS]):
        return read()
    value = cache.get(key)
    if value is None:
        value = read()
        cache.set(key, value, DICTIONARY_CACHE_SECONDS)
    return value


def _changed_in_this_transaction(connection) -> bool:
    """Whether the open transaction changed a dictionary: its commit callback from
    `forget_dictionaries` is pending (a rollback, of a savepoint too, discards it)."""
    return connection.in_atomic_block and any(
        getattr(entry[1], "forgets_dictionaries", False) for entry in connection.run_on_commit
    )


def default_priority() -> ActivityPriority | None:
    """The priority of an activity saved without one (a dictionary entry marked default)."""
    # A list, so that "no default" is kept too (the cache answers None for "not kept").
    (found,) = _cached(
        _DEFAULT_PRIORITY,
        lambda: [ActivityPriority.objects.using(DEFAULT_DB_ALIAS).filter(is_default=True).first()],
    )
    return found


def dictionary_entries(model: type[ActivityPriority | ActivityCategory]) -> list:
    """Every entry of the priorities or the categories, active or not, in their order."""
    return _cached(_ENTRIES[model], lambda: list(model.objects.using(DEFAULT_DB_ALIAS)))


def currency_of(code: str) -> Currency | None:
    """The currency of this ISO 4217 code, active or not; None if there is none."""
    currencies = Currency.objects.using(DEFAULT_DB_ALIAS)
    return _cached(_CURRENCIES, lambda: {c.code: c for c in currencies}).get(code)


def forget_dictionaries(sender=None, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    """Drops the kept dictionaries (a receiver of their models' post_save and post_delete,
    see dictionaries.apps): at once, for the rest of this transaction, and when it
    commits, for whatever other processes read from the database in the meantime."""
    cache.delete_many(_KEYS)
    if connections[using].in_atomic_block:
        transaction.on_commit(_committed, using=using)


def _committed() -> None:
    cache.delete_many(_KEYS)


_committed.forgets_dictionaries = True  # see _changed_in_this_transaction


def currency_display_name(code: str) -> str:
    """The currency's name in the UI language, from Babel's CLDR data."""
    locale = "en" if (get_language() or "pl")[:2] == "en" else "pl"
    return get_currency_name(code, locale=locale)


def currencies_with_rates() -> QuerySet:
    """Every currency, base first, with its number of rates and its latest rate day."""
    return Currency.objects.annotate(
        rate_count=Count("rates"), latest_rate=Max("rates__date")
    ).order_by("-is_base", "-is_active", "code")


def rates_of(
    *, currency: Currency, date_from: date | None = None, date_to: date | None = None
) -> QuerySet:
    """The rates of a currency, newest first, within an inclusive date range."""
    qs = ExchangeRate.objects.filter(currency=currency)
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    return qs.order_by("-date")
