"""GET/POST /api/v1/currencies/{code}/rates: rates as strings, written by administrators."""

from datetime import date
from decimal import Decimal

import pytest

from dictionaries.models import Currency, ExchangeRate
from dictionaries.services import exchange_rate_set

pytestmark = pytest.mark.django_db


def eur() -> Currency:
    return Currency.objects.get(code="EUR")


def rate_of(code: str, on: date) -> Decimal:
    return ExchangeRate.objects.get(currency_id=code, date=on).rate


class TestRatesApi:
    def test_rates_are_listed_as_strings_newest_first(self, api):
        exchange_rate_set(currency=eur(), on=date(2026, 1, 9), rate=Decimal("4.2705"))
        exchange_rate_set(currency=eur(), on=date(2026, 1, 12), rate=Decimal("4.3"))

        response = api.get("currencies/EUR/rates", {"date_from": "2026-01-01"})

        assert response.status_code == 200
        assert [(r["date"], r["rate"]) for r in response.json()] == [
            ("2026-01-12", "4.3"),
            ("2026-01-09", "4.2705"),
        ]

    def test_a_code_that_is_not_three_letters_is_unknown(self, api):
        assert api.get("currencies/EURO/rates").status_code == 404
        assert api.get("currencies/eur/rates").status_code == 200

    def test_only_administrators_post_rates(self, api, admin_api):
        refused = api.post("currencies/EUR/rates", {"date": "2026-01-09", "rate": "4.2705"})
        created = admin_api.post("currencies/EUR/rates", {"date": "2026-01-09", "rate": "4.2705"})
        invalid = admin_api.post("currencies/EUR/rates", {"date": "2026-01-09", "rate": "0"})
        unknown = admin_api.get("currencies/XYZ/rates")

        assert refused.status_code == 403
        assert (created.status_code, created.json()["rate"]) == (201, "4.2705")
        assert invalid.status_code == 422 and "rate" in invalid.json()["errors"]
        assert unknown.status_code == 404
        assert rate_of("EUR", date(2026, 1, 9)) == Decimal("4.2705")
