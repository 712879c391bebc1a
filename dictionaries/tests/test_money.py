"""Money's text: Babel's currency formatting, with the pattern and locale parsed once."""

from decimal import Decimal

import pytest
from babel.numbers import format_currency
from django.utils import translation

from dictionaries.money import Money


@pytest.mark.parametrize("locale", ["pl_PL", "en_GB"])
@pytest.mark.parametrize(
    "amount, currency",
    [
        ("0", "PLN"),
        ("1250.50", "PLN"),
        ("1234567.8", "EUR"),
        ("-12.345", "USD"),
        ("1000", "JPY"),  # no minor unit: no places
        ("99999999.99", "GBP"),
    ],
)
def test_the_text_is_babels(locale, amount, currency):
    money = Money(Decimal(amount), currency)
    expected = format_currency(
        Decimal(amount), currency, format="#,##0.00\xa0¤¤", locale=locale, currency_digits=True
    )
    assert money.format(locale) == expected


def test_the_language_of_the_request_chooses_the_format():
    money = Money(Decimal("1250.5"), "PLN")
    with translation.override("pl"):
        assert money.format() == "1\xa0250,50\xa0PLN"
    with translation.override("en"):
        assert money.format() == "1,250.50\xa0PLN"
