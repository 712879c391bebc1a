"""Fixtures of the cost report tests: rates around a weekend and activities that mix
three currencies (PLN base, EUR, USD), with numbers worked out by hand in the tests."""

import zoneinfo
from datetime import date, datetime
from decimal import Decimal

import pytest

from activities.tests.factories import ActivityFactory
from dictionaries.models import ActivityCategory, Currency, ExchangeRate

WARSAW = zoneinfo.ZoneInfo("Europe/Warsaw")


def at(year, month, day, hour=12, zone=WARSAW) -> datetime:
    return datetime(year, month, day, hour, tzinfo=zone)


@pytest.fixture
def rates(db):
    """EUR and USD on Friday 9 January 2026, EUR again on Monday the 12th; nothing
    before the 9th and nothing on the weekend."""
    eur, usd = Currency.objects.get(code="EUR"), Currency.objects.get(code="USD")
    ExchangeRate.objects.create(currency=eur, date=date(2026, 1, 9), rate=Decimal("4.2705"))
    ExchangeRate.objects.create(currency=usd, date=date(2026, 1, 9), rate=Decimal("3.6012"))
    ExchangeRate.objects.create(currency=eur, date=date(2026, 1, 12), rate=Decimal("4.3000"))


def category(name_en: str) -> ActivityCategory:
    return ActivityCategory.objects.get(name_en=name_en)


@pytest.fixture
def mixed_costs(rates):
    """Trade negotiations: expected 100 EUR (Saturday: Friday's 4.2705 -> 427.05) + 200 PLN
    = 627.05; actual 150 USD (3.6012 -> 540.18) + 10.01 EUR (Monday's 4.30 -> 43.043)
    = 583.223 -> 583.22.
    Customer acquisition: expected 50 EUR on 31 December 2025, before the first rate:
    missing; actual 80 PLN."""
    trade, acquisition = category("Trade negotiations"), category("Customer acquisition")
    a1 = ActivityFactory(
        start=at(2026, 1, 10),
        category=trade,
        expected_cost=Decimal("100.00"),
        expected_cost_currency_id="EUR",
        actual_cost=Decimal("150.00"),
        actual_cost_currency_id="USD",
    )
    a2 = ActivityFactory(
        start=at(2026, 1, 12),
        category=trade,
        expected_cost=Decimal("200.00"),
        expected_cost_currency_id="PLN",
        actual_cost=Decimal("10.01"),
        actual_cost_currency_id="EUR",
    )
    a3 = ActivityFactory(
        start=at(2025, 12, 31),
        category=acquisition,
        expected_cost=Decimal("50.00"),
        expected_cost_currency_id="EUR",
        actual_cost=Decimal("80.00"),
        actual_cost_currency_id="PLN",
    )
    return a1, a2, a3
