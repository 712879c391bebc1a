"""Money: a `Decimal` amount and an ISO 4217 currency code, never a float.

The columns that hold amounts are made by `amount_field()`, so digits and places are
defined once (settings.MONEY_MAX_DIGITS / MONEY_DECIMAL_PLACES).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from babel import Locale
from babel.numbers import parse_pattern
from django.conf import settings
from django.db import models
from django.utils.translation import get_language


def amount_field(verbose_name: str, **kwargs) -> models.DecimalField:
    return models.DecimalField(
        verbose_name,
        max_digits=settings.MONEY_MAX_DIGITS,
        decimal_places=settings.MONEY_DECIMAL_PLACES,
        null=True,
        blank=True,
        **kwargs,
    )


# Amounts read as the number in the user's format followed by the ISO code.
MONEY_PATTERN = parse_pattern("#,##0.00\xa0¤¤")


@cache
def _locale(name: str) -> Locale:
    """Babel's locale data, parsed once per process: parsing it on every amount took
    two thirds of the time of formatting one (a list page shows fifty)."""
    return Locale.parse(name)


MAX_AMOUNT = Decimal(10) ** (settings.MONEY_MAX_DIGITS - settings.MONEY_DECIMAL_PLACES) - Decimal(
    1
).scaleb(-settings.MONEY_DECIMAL_PLACES)


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise TypeError("Money.amount must be a Decimal")

    def rounded(self, places: int) -> Money:
        """Half-up to the currency's minor unit, as accountants round."""
        return Money(self.amount.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP), self.currency)

    def format(self, locale: str | None = None) -> str:
        """The amount in the user's number format followed by the ISO code, the same for
        every currency ("2 171,00 PLN", "2,171.00 EUR"): in a list that mixes
        currencies the code reads more clearly than a symbol."""
        locale = locale or {"en": "en_GB"}.get((get_language() or "pl")[:2], "pl_PL")
        # babel.numbers.format_currency with the pattern and locale parsed once.
        return MONEY_PATTERN.apply(
            self.amount, _locale(locale), currency=self.currency, currency_digits=True
        )

    def __str__(self) -> str:
        return self.format()
