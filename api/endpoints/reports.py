"""The cost report over HTTP: the same selector as the page (`reports.selectors`), so the
same numbers; amounts are strings ("1234.50"), never JSON numbers."""

from __future__ import annotations

import zoneinfo
from datetime import date
from decimal import Decimal
from typing import Literal

from django.utils import timezone
from ninja import Field, Query, Router, Schema

from activities.selectors import ActivityFilters
from api.schemas import Day, ErrorOut, Id
from reports.selectors import CostRow, CostSide, cost_report

router = Router(tags=["reports"])


class CostSideOut(Schema):
    base: str = Field(description="Sum in the base currency, rounded half-up.")
    missing: int = Field(description="Amounts left out of `base`: no rate on or before their day.")
    by_currency: dict[str, str] = Field(description="Sums in each original currency.")


class CostRowOut(Schema):
    key: int | str | None = Field(
        description="Category, employee (leader) or customer id, month as YYYY-MM; "
        "null for activities without a category."
    )
    label: str
    activities: int
    expected: CostSideOut
    actual: CostSideOut
    difference: str | None = Field(
        description="actual.base - expected.base; null when an amount has no rate"
    )


class CostReportOut(Schema):
    group_by: str
    base_currency: str
    start_from: date | None
    start_to: date | None
    rows: list[CostRowOut]
    total: CostRowOut


class CostFilters(Schema):
    group_by: Literal["category", "employee", "customer", "month"] = "category"
    start_from: Day | None = None
    start_to: Day | None = None
    kind: Literal["meeting", "contact", "task"] | None = None
    status: Literal["planned", "ended", "cancelled"] | None = None
    employee: Id | None = Field(None, description="Activities this employee takes part in.")
    category: Id | None = None
    priority: Id | None = None


def _side(side: CostSide, minor_units: dict[str, int]) -> dict:
    return {
        "base": str(side.base),
        "missing": side.missing,
        "by_currency": {
            code: str(amount.quantize(_unit(minor_units.get(code, 2))))
            for code, amount in sorted(side.by_currency.items())
        },
    }


def _unit(places: int) -> Decimal:
    return Decimal(1).scaleb(-places)


def _row(row: CostRow, minor_units: dict[str, int]) -> dict:
    return {
        "key": row.key,
        "label": row.label,
        "activities": row.activities,
        "expected": _side(row.expected, minor_units),
        "actual": _side(row.actual, minor_units),
        "difference": None if row.difference is None else str(row.difference),
    }


@router.get(
    "/reports/costs",
    response={200: CostReportOut, 401: ErrorOut, 422: ErrorOut},
    summary="Expected vs actual costs per category, employee, customer or month",
)
def cost_report_endpoint(request, filters: Query[CostFilters]):
    """Dates are inclusive days of the user's time zone (the employee's, else
    Europe/Warsaw), as on the page; without them every activity counts."""
    employee = getattr(request.user, "employee", None)
    zone = zoneinfo.ZoneInfo(employee.time_zone) if employee else timezone.get_default_timezone()
    with timezone.override(zone):
        report = cost_report(
            user=request.user,
            filters=ActivityFilters(
                kind=filters.kind,
                status=filters.status,
                employee=filters.employee,
                category=filters.category,
                priority=filters.priority,
                start_from=filters.start_from,
                start_to=filters.start_to,
            ),
            group_by=filters.group_by,
        )
    return {
        "group_by": report.group_by,
        "base_currency": report.base_currency,
        "start_from": filters.start_from,
        "start_to": filters.start_to,
        "rows": [_row(row, report.minor_units) for row in report.rows],
        "total": _row(report.total, report.minor_units),
    }
