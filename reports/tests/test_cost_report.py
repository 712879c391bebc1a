"""The cost report through HTTP: the page, its CSV and XLSX exports and the API give the
same numbers, worked out by hand in `conftest.mixed_costs`."""

import csv
import io
import zoneinfo
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from activities.tests.factories import ActivityFactory, add_participant
from api.tests.conftest import ApiClient, issue_token
from customers.tests.factories import CustomerFactory
from dictionaries.models import Currency, ExchangeRate
from reports.tests.conftest import at, category

pytestmark = pytest.mark.django_db

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")

RANGE = {"start_from": "2025-12-01", "start_to": "2026-01-31"}


def page(client, **params):
    return client.get(reverse("reports:costs"), {**RANGE, **params})


def report_of(response):
    return response.context["report"]


def rows_by_label(report) -> dict:
    return {row.label: row for row in report.rows}


class TestSums:
    def test_three_currencies_are_converted_and_summed_exactly(self, logged_in, mixed_costs):
        report = report_of(page(logged_in, group_by="category"))
        rows = rows_by_label(report)
        trade = rows["Trade negotiations"]

        assert report.base_currency == "PLN"
        assert trade.expected.base == Decimal("627.05")
        assert trade.actual.base == Decimal("583.22")
        assert trade.difference == Decimal("-43.83")
        assert trade.expected.by_currency == {"EUR": Decimal("100.00"), "PLN": Decimal("200.00")}
        assert trade.actual.by_currency == {"USD": Decimal("150.00"), "EUR": Decimal("10.01")}
        assert (trade.expected.missing, trade.actual.missing) == (0, 0)

    def test_an_amount_before_the_first_rate_is_missing_not_zero(self, logged_in, mixed_costs):
        response = page(logged_in, group_by="category")
        acquisition = rows_by_label(report_of(response))["Customer acquisition"]

        assert acquisition.expected.missing == 1
        assert acquisition.expected.base == Decimal("0.00")
        assert acquisition.expected.by_currency == {"EUR": Decimal("50.00")}
        assert acquisition.actual.base == Decimal("80.00")
        assert b'id="missing-warning"' in response.content
        assert "1 amount has no exchange rate" in response.content.decode()

    def test_totals_add_up_the_rows(self, logged_in, mixed_costs):
        total = report_of(page(logged_in, group_by="category")).total

        assert total.expected.base == Decimal("627.05")
        assert total.actual.base == Decimal("663.22")
        # One expected amount has no rate: a difference of partial sums would count it as 0.
        assert total.difference is None
        rows = rows_by_label(report_of(page(logged_in, group_by="category")))
        assert rows["Trade negotiations"].difference == Decimal("-43.83")  # 583.22 - 627.05
        assert rows["Customer acquisition"].difference is None
        assert total.expected.missing == 1
        assert total.activities == 3

    @pytest.mark.parametrize("group_by", ["category", "employee", "customer", "month"])
    def test_every_grouping_gives_the_same_total(self, logged_in, mixed_costs, group_by):
        total = report_of(page(logged_in, group_by=group_by)).total

        assert (total.expected.base, total.actual.base) == (Decimal("627.05"), Decimal("663.22"))

    def test_the_rate_is_that_of_the_start_date_in_the_activity_s_own_zone(self, logged_in, rates):
        # Sunday 11 January, 22:00 in New York, is Monday 04:00 in Warsaw: Friday's rate
        # (4.2705) applies, not Monday's (4.30).
        ActivityFactory(
            start=at(2026, 1, 11, 22, zoneinfo.ZoneInfo("America/New_York")),
            time_zone="America/New_York",
            expected_cost=Decimal("10.00"),
            expected_cost_currency_id="EUR",
        )
        total = report_of(page(logged_in)).total

        assert total.expected.base == Decimal("42.71")  # 42.705 rounded half-up

    def test_month_rows_link_to_their_month(self, logged_in, mixed_costs):
        response = page(logged_in, group_by="month")
        rows = [(row.key, row.activities) for row, _link in response.context["rows"]]
        links = [link for _row, link in response.context["rows"]]

        assert rows == [("2025-12", 1), ("2026-01", 2)]
        assert "the month of its start date in its own time zone" in response.content.decode()
        assert "start_from=2026-01-01" in links[1] and "start_to=2026-01-31" in links[1]
        assert "start_from=2025-12-01" in links[0] and "start_to=2025-12-31" in links[0]

    def test_an_activity_belongs_to_the_month_and_rate_of_its_own_start_date(self, logged_in):
        # 23:30 on Wednesday 31 January in Chicago is 06:30 on 1 February in Warsaw: the
        # activity counts in January and converts at 31 January's rate, as its day says.
        eur = Currency.objects.get(code="EUR")
        ExchangeRate.objects.create(currency=eur, date=date(2024, 1, 31), rate=Decimal("4.3000"))
        ExchangeRate.objects.create(currency=eur, date=date(2024, 2, 1), rate=Decimal("4.4000"))
        chicago = ActivityFactory(
            start=at(2024, 1, 31, 23, CHICAGO) + timedelta(minutes=30),
            time_zone="America/Chicago",
            expected_cost=Decimal("10.00"),
            expected_cost_currency_id="EUR",
        )
        ActivityFactory(
            start=at(2024, 2, 1),
            expected_cost=Decimal("1.00"),
            expected_cost_currency_id="EUR",
        )

        response = page(logged_in, group_by="month", start_from="2024-01-01", start_to="2024-02-29")
        rows = [(r.key, r.activities, r.expected.base) for r, _link in response.context["rows"]]

        assert chicago.local_start_date == date(2024, 1, 31)
        assert rows == [("2024-01", 1, Decimal("43.00")), ("2024-02", 1, Decimal("4.40"))]
        assert report_of(response).total.expected.base == Decimal("47.40")

    def test_a_month_just_outside_the_range_links_to_the_range_s_nearest_day(self, logged_in):
        # February in Warsaw holds the Chicago activity of 31 January (06:30 on the 1st):
        # its January row links to 1 February, the day of the range where the list finds it.
        chicago = ActivityFactory(
            start=at(2024, 1, 31, 23, CHICAGO) + timedelta(minutes=30),
            time_zone="America/Chicago",
        )

        response = page(logged_in, group_by="month", start_from="2024-02-01", start_to="2024-02-29")
        [(row, link)] = response.context["rows"]
        listed = logged_in.get(link).context["page_obj"].object_list

        assert (row.key, row.activities) == ("2024-01", 1)
        assert (row.start_from, row.start_to) == (date(2024, 2, 1), date(2024, 2, 1))
        assert chicago.pk in [listed_row["id"] for listed_row in listed]

    def test_employee_rows_count_each_activity_once_for_its_leader(self, logged_in, mixed_costs):
        a1, a2, _a3 = mixed_costs
        add_participant(a1, a2.leader)  # a second participant does not count it twice
        report = report_of(page(logged_in, group_by="employee"))

        assert sum(row.activities for row in report.rows) == 3
        assert sum(row.expected.base for row in report.rows) == Decimal("627.05")

    def test_rows_link_down_to_their_activities(self, logged_in, mixed_costs):
        a1, a2, _a3 = mixed_costs
        response = page(logged_in, group_by="category")
        links = {row.label: link for row, link in response.context["rows"]}
        trade = links["Trade negotiations"]

        assert trade.startswith(reverse("activities:list"))
        assert f"category={category('Trade negotiations').pk}" in trade
        listed = logged_in.get(trade)
        assert {row["id"] for row in listed.context["page_obj"].object_list} == {a1.pk, a2.pk}
        by_customer = page(logged_in, group_by="customer").context["rows"]
        assert {link.split("?")[0] for _row, link in by_customer} == {
            reverse("customers:detail", args=[a.customer_id]) for a in mixed_costs
        }


def parse_csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


class TestSameNumbersEverywhere:
    def test_page_csv_xlsx_and_api_agree(self, logged_in, client, employee, mixed_costs):
        report = report_of(page(logged_in, group_by="category"))
        csv_rows = parse_csv(
            logged_in.get(reverse("reports:costs_csv"), {**RANGE, "group_by": "category"}).content
        )
        xlsx = logged_in.get(reverse("reports:costs_xlsx"), {**RANGE, "group_by": "category"})
        sheet = load_workbook(io.BytesIO(xlsx.content)).active
        xlsx_rows = [[c.value for c in row] for row in sheet.iter_rows()]
        api = ApiClient(client, issue_token(employee.user)).get(
            "reports/costs", {**RANGE, "group_by": "category"}
        )
        body = api.json()

        expected_lines = [
            (r.label, r.expected.base, r.actual.base, r.difference, r.expected.missing)
            for r in [*report.rows, report.total]
        ]
        from_csv = [
            (r[0], Decimal(r[2]), Decimal(r[3]), Decimal(r[4]) if r[4] else None, int(r[5]))
            for r in csv_rows[1:]
        ]
        from_xlsx = [
            (
                r[0],
                Decimal(str(r[2])),
                Decimal(str(r[3])),
                None if r[4] is None else Decimal(str(r[4])),
                r[5],
            )
            for r in xlsx_rows[1:]
        ]
        from_api = [
            (
                r["label"],
                Decimal(r["expected"]["base"]),
                Decimal(r["actual"]["base"]),
                None if r["difference"] is None else Decimal(r["difference"]),
                r["expected"]["missing"],
            )
            for r in [*body["rows"], body["total"]]
        ]
        assert api.status_code == 200
        assert from_csv == expected_lines
        assert from_xlsx == expected_lines
        assert from_api == expected_lines
        assert body["total"]["actual"]["base"] == "663.22"
        assert body["rows"][0]["expected"]["by_currency"] == {"EUR": "100.00", "PLN": "200.00"}
        assert csv_rows[0][:5] == [
            "Category",
            "Activities",
            "Expected (PLN)",
            "Actual (PLN)",
            "Difference (PLN)",
        ]

    def test_xlsx_amounts_are_numbers_with_a_number_format(self, logged_in, mixed_costs):
        xlsx = logged_in.get(reverse("reports:costs_xlsx"), RANGE)
        sheet = load_workbook(io.BytesIO(xlsx.content)).active

        cell = sheet.cell(row=2, column=3)
        assert cell.data_type == "n"
        assert cell.number_format == "#,##0.00"

    def test_a_formula_in_a_name_is_neutralised_in_csv_and_xlsx(self, logged_in, rates):
        evil = CustomerFactory(name='=HYPERLINK("http://x.example","y")')
        ActivityFactory(
            customer=evil,
            start=at(2026, 1, 9),
            expected_cost=Decimal("1.00"),
            expected_cost_currency_id="PLN",
        )
        params = {**RANGE, "group_by": "customer"}
        csv_rows = parse_csv(logged_in.get(reverse("reports:costs_csv"), params).content)
        xlsx = logged_in.get(reverse("reports:costs_xlsx"), params)
        cell = load_workbook(io.BytesIO(xlsx.content)).active.cell(row=2, column=1)

        assert csv_rows[1][0] == "'" + evil.name
        assert csv_rows[1][4] == "-1.00"  # a negative number is not "neutralised"
        assert cell.data_type == "s" and cell.value == evil.name


class TestQueries:
    def test_the_report_s_queries_do_not_grow_with_the_activities(self, logged_in, rates):
        def make(n):
            for i in range(n):
                ActivityFactory(
                    start=at(2026, 1, 5 + i % 20),
                    customer=CustomerFactory(),
                    expected_cost=Decimal("10.00"),
                    expected_cost_currency_id=("PLN", "EUR", "USD")[i % 3],
                    actual_cost=Decimal("12.00"),
                    actual_cost_currency_id=("EUR", "USD", "PLN")[i % 3],
                )

        def count(group_by):
            with CaptureQueriesContext(connection) as ctx:
                response = page(logged_in, group_by=group_by)
            assert response.status_code == 200
            return len(ctx.captured_queries)

        make(3)
        page(logged_in, group_by="month")  # the token's and the dictionaries' first reads
        few = {g: count(g) for g in ("category", "employee", "customer", "month")}
        make(40)
        many = {g: count(g) for g in ("category", "employee", "customer", "month")}

        assert many == few
        # 5 for the report, the rest for the session, user and the filter choices.
        assert max(many.values()) <= 16


class TestAccess:
    def test_anonymous_visitors_log_in_first(self, client):
        response = client.get(reverse("reports:costs"))
        assert response.status_code == 302

    def test_default_range_is_the_current_year(self, logged_in):
        response = logged_in.get(reverse("reports:costs"))
        form = response.context["filter_form"]
        year = timezone.localdate().year
        assert form.cleaned_data["start_from"].isoformat() == f"{year}-01-01"
        assert form.cleaned_data["start_to"] - form.cleaned_data["start_from"] >= timedelta(364)


class TestCustomerPage:
    def test_the_customer_page_shows_its_cost_totals_and_missing_rates(
        self, logged_in, mixed_costs
    ):
        _a1, _a2, a3 = mixed_costs
        # The page loads its cost totals after itself, from this fragment (htmx).
        response = logged_in.get(
            reverse("customers:costs", args=[a3.customer_id]), HTTP_HX_REQUEST="true"
        )
        costs = response.context["costs"].total

        assert (costs.expected.base, costs.actual.base) == (Decimal("0.00"), Decimal("80.00"))
        assert costs.expected.missing == 1
        assert b'id="customer-costs-missing"' in response.content


@pytest.fixture(autouse=True)
def _all_activities_visible(settings):
    """These tests are about what the pages and the API do with activities of any
    employee; who may see which is tested in activities/tests/test_access.py."""
    settings.SPOTKANIA_ALL_ACTIVITIES_VISIBLE = True
