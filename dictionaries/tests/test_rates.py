"""Exchange rates: conversion, NBP imports, entry by hand, the configuration pages and
the rates API."""

import json
import logging
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from dictionaries.models import Currency, ExchangeRate
from dictionaries.money import Money
from dictionaries.services import (
    ConvertedMoney,
    Missing,
    exchange_rate_set,
    money_convert,
)

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
JSON_SAMPLE = SAMPLES / "nbp_table_a_2026-01-02_2026-01-16.json"
CSV_SAMPLE = SAMPLES / "nbp_table_a_2026-01-19_2026-01-30.csv"


def eur() -> Currency:
    return Currency.objects.get(code="EUR")


def rate_of(code: str, on: date) -> Decimal:
    return ExchangeRate.objects.get(currency_id=code, date=on).rate


def run_import(*files) -> str:
    from io import StringIO

    out = StringIO()
    call_command("import_rates", *map(str, files), stdout=out)
    return out.getvalue()


class TestConversion:
    def test_a_saturday_uses_friday_s_rate(self):
        exchange_rate_set(currency=eur(), on=date(2026, 1, 9), rate=Decimal("4.2705"))
        exchange_rate_set(currency=eur(), on=date(2026, 1, 12), rate=Decimal("4.3000"))

        result = money_convert(money=Money(Decimal("100.00"), "EUR"), on=date(2026, 1, 10))

        assert isinstance(result, ConvertedMoney)
        assert result.money == Money(Decimal("427.05"), "PLN")
        assert result.rate_date == date(2026, 1, 9)

    def test_before_the_first_rate_the_amount_is_missing(self):
        exchange_rate_set(currency=eur(), on=date(2026, 1, 9), rate=Decimal("4.2705"))

        result = money_convert(money=Money(Decimal("100.00"), "EUR"), on=date(2026, 1, 8))

        assert result == Missing(Money(Decimal("100.00"), "EUR"), date(2026, 1, 8))

    def test_the_base_currency_converts_to_itself_without_a_rate(self):
        result = money_convert(money=Money(Decimal("12.50"), "PLN"), on=date(2020, 1, 1))

        assert result.money == Money(Decimal("12.50"), "PLN")

    @pytest.mark.parametrize(
        ("amount", "rate", "expected"),
        [
            ("1.00", "4.125", "4.13"),  # half-up, not half-even (4.12)
            ("1.00", "4.135", "4.14"),
            ("3.00", "0.001666", "0.00"),  # 0.004998
            ("1.00", "4.1249999999", "4.12"),
            ("1000", "0.026055", "26.06"),  # a 100 JPY rate per one yen
        ],
    )
    def test_rounding_is_half_up_to_the_base_currency_s_places(self, amount, rate, expected):
        exchange_rate_set(currency=eur(), on=date(2026, 1, 9), rate=Decimal(rate))

        result = money_convert(money=Money(Decimal(amount), "EUR"), on=date(2026, 1, 9))

        assert result.money.amount == Decimal(expected)


class TestRateEntry:
    @pytest.mark.parametrize(
        ("rate", "message"),
        [
            ("0", "greater than zero"),
            ("-1", "greater than zero"),
            ("10000000000", "too large"),
            ("1.00000000001", "at most 10 decimal places"),
        ],
    )
    def test_a_bad_rate_is_refused_with_a_clear_message(self, rate, message):
        with pytest.raises(ValidationError) as error:
            exchange_rate_set(currency=eur(), on=date(2026, 1, 9), rate=Decimal(rate))

        assert message in str(error.value.message_dict["rate"])
        assert not ExchangeRate.objects.exists()

    def test_the_base_currency_has_no_rate(self):
        with pytest.raises(ValidationError):
            exchange_rate_set(
                currency=Currency.objects.get(code="PLN"), on=date(2026, 1, 9), rate=Decimal(1)
            )


class TestImport:
    def test_json_import_reads_rates_per_unit(self):
        output = run_import(JSON_SAMPLE)

        assert rate_of("EUR", date(2026, 1, 2)) == Decimal("4.2209")
        assert rate_of("JPY", date(2026, 1, 2)) == Decimal("0.023016")
        assert ExchangeRate.objects.filter(date=date(2026, 1, 6)).count() == 0  # holiday
        assert "Skipped, not a configured currency: THB (10), XDR (10)." in output
        assert "Rates: 50 created, 0 updated, 0 unchanged." in output

    def test_csv_import_divides_by_the_units_of_the_header(self):
        run_import(CSV_SAMPLE)

        assert rate_of("USD", date(2026, 1, 19)) == Decimal("3.6083")
        assert rate_of("JPY", date(2026, 1, 19)) == Decimal("0.023007")  # 100JPY 2,3007
        assert ExchangeRate.objects.filter(date=date(2026, 1, 19)).count() == 5
        assert ExchangeRate.objects.get(currency_id="EUR", date=date(2026, 1, 19)).source == (
            "NBP 011/A/NBP/2026"
        )

    def test_importing_the_same_files_twice_changes_nothing(self):
        run_import(JSON_SAMPLE, CSV_SAMPLE)
        before = list(ExchangeRate.objects.values_list("currency_id", "date", "rate", "updated_at"))

        output = run_import(JSON_SAMPLE, CSV_SAMPLE)

        after = list(ExchangeRate.objects.values_list("currency_id", "date", "rate", "updated_at"))
        assert after == before
        assert "Rates: 0 created, 0 updated, 100 unchanged." in output

    def test_a_changed_rate_is_updated_and_logged(self, tmp_path, caplog):
        run_import(JSON_SAMPLE)
        changed = json.loads(JSON_SAMPLE.read_text())
        changed[0]["rates"][2]["mid"] = 4.3
        path = tmp_path / "changed.json"
        path.write_text(json.dumps(changed))

        with caplog.at_level(logging.INFO, logger="dictionaries.rates"):
            output = run_import(path)

        assert rate_of("EUR", date(2026, 1, 2)) == Decimal("4.3")
        assert "Updated EUR 2026-01-02: 4.2209 -> 4.3" in output
        assert "Rates: 0 created, 1 updated, 49 unchanged." in output
        assert "EUR on 2026-01-02 changed from 4.2209 to 4.3" in caplog.text

    def test_a_file_that_is_not_a_rate_table_is_refused_and_nothing_is_written(self, tmp_path):
        from django.core.management import CommandError

        bad = tmp_path / "bad.csv"
        bad.write_text("hello;world\n1;2\n")

        with pytest.raises(CommandError, match="No header row"):
            run_import(JSON_SAMPLE, bad)
        assert not ExchangeRate.objects.exists()


class TestConfigurationPages:
    def test_employees_who_are_not_staff_get_403_everywhere(self, logged_in):
        urls = [
            reverse("currencies:list"),
            reverse("currencies:rates", args=["EUR"]),
        ]
        posts = [
            (reverse("currencies:rates", args=["EUR"]), {"date": "2026-01-09", "rate": "4,27"}),
            (reverse("currencies:action", args=["EUR", "base"]), {}),
            (reverse("currencies:add"), {"code": "NZD"}),
        ]

        assert [logged_in.get(url).status_code for url in urls] == [403, 403]
        assert [logged_in.post(url, data).status_code for url, data in posts] == [403] * 3
        assert Currency.base_code() == "PLN"
        assert not ExchangeRate.objects.exists()

    def test_the_list_shows_babel_names_in_the_user_s_language(self, admin_client):
        english = admin_client.get(reverse("currencies:list")).content.decode()
        admin_client.cookies["django_language"] = "pl"
        polish = admin_client.get(reverse("currencies:list")).content.decode()

        assert "Swiss Franc" in english
        assert "frank szwajcarski" in polish

    def test_a_rate_is_entered_with_a_decimal_comma(self, admin_client):
        response = admin_client.post(
            reverse("currencies:rates", args=["EUR"]), {"date": "2026-01-09", "rate": "4,2705"}
        )

        assert response.status_code == 302
        assert rate_of("EUR", date(2026, 1, 9)) == Decimal("4.2705")

    def test_a_rate_out_of_range_is_shown_on_its_field(self, admin_client):
        response = admin_client.post(
            reverse("currencies:rates", args=["EUR"]),
            {"date": "2026-01-09", "rate": "99999999999"},
        )

        assert response.status_code == 200
        assert "too large" in str(response.context["form"].errors["rate"])

    def test_the_rate_list_filters_by_date(self, admin_client):
        for day in (5, 9, 12):
            exchange_rate_set(currency=eur(), on=date(2026, 1, day), rate=Decimal("4.2"))

        response = admin_client.get(
            reverse("currencies:rates", args=["EUR"]),
            {"date_from": "2026-01-06", "date_to": "2026-01-10"},
        )

        assert [r.date.day for r in response.context["page_obj"].object_list] == [9]

    def test_a_rate_is_edited_on_its_own_page(self, admin_client):
        exchange_rate_set(currency=eur(), on=date(2026, 1, 9), rate=Decimal("4.2"))

        response = admin_client.post(
            reverse("currencies:rate_edit", args=["EUR", "2026-01-09"]), {"rate": "4.25"}
        )

        assert response.status_code == 302
        assert rate_of("EUR", date(2026, 1, 9)) == Decimal("4.25")

    def test_choosing_another_base_warns_that_rates_stay_in_the_old_one(self, admin_client):
        response = admin_client.post(
            reverse("currencies:action", args=["EUR", "base"]), follow=True
        )

        assert Currency.base_code() == "EUR"
        assert "existing rates are still in the old base currency" in response.content.decode()

    def test_the_base_currency_cannot_be_deactivated(self, admin_client):
        admin_client.post(reverse("currencies:action", args=["PLN", "deactivate"]))

        assert Currency.objects.get(code="PLN").is_active

    def test_a_currency_is_added_by_its_iso_code_with_babel_s_data(self, admin_client):
        admin_client.post(reverse("currencies:add"), {"code": "nzd"})
        bad = admin_client.post(reverse("currencies:add"), {"code": "XXQ"})

        nzd = Currency.objects.get(code="NZD")
        assert (nzd.name, nzd.minor_unit, nzd.is_active) == ("New Zealand Dollar", 2, True)
        assert bad.status_code == 200
        assert not Currency.objects.filter(code="XXQ").exists()
