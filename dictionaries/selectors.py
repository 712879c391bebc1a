"""Reads of currencies and exchange rates shared by the configuration pages and the API."""

from __future__ import annotations

from datetime import date

from babel.numbers import get_currency_name
from django.db.models import Count, Max, QuerySet
from django.utils.translation import get_language

from dictionaries.models import Currency, ExchangeRate


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
