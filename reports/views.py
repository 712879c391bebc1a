"""The cost report page and its CSV and XLSX exports: thin views over `cost_report`."""

from __future__ import annotations

from datetime import date

from django.http import HttpResponse, QueryDict
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from activities.forms import ActivityFilterForm
from reports import exports
from reports.forms import GROUP_BY_CHOICES, GroupByForm
from reports.selectors import CostReport, CostRow, cost_report

FILTER_FIELDS = ("q", "kind", "status", "employee", "category", "priority")


def _params(request) -> QueryDict:
    """The query, with this year as the date range when the user has not chosen one."""
    data = request.GET.copy()
    if "start_from" not in data and "start_to" not in data:
        today = timezone.localdate()
        data["start_from"] = date(today.year, 1, 1).isoformat()
        data["start_to"] = date(today.year, 12, 31).isoformat()
    return data


def _build(request):
    data = _params(request)
    filter_form = ActivityFilterForm(data)
    group_form = GroupByForm(data)
    group_by = group_form.value()
    filters = filter_form.to_filters()
    report = cost_report(filters=filters, group_by=group_by, user=request.user)
    return filter_form, group_form, filters, report


def _filter_query(filters) -> QueryDict:
    query = QueryDict(mutable=True)
    for name in FILTER_FIELDS:
        value = getattr(filters, name)
        if value:
            query[name] = str(value)
    if filters.start_from:
        query["start_from"] = filters.start_from.isoformat()
    if filters.start_to:
        query["start_to"] = filters.start_to.isoformat()
    return query


def row_link(report: CostReport, row: CostRow, filters) -> str | None:
    """The activities behind a row: the activity list with the report's filters and the
    row's own, or the customer's page (the list has no customer filter)."""
    query = _filter_query(filters)
    if report.group_by == "customer":
        return f"{reverse('customers:detail', args=[row.key])}?{query.urlencode()}"
    if report.group_by == "month":
        query["start_from"] = row.start_from.isoformat()
        query["start_to"] = row.start_to.isoformat()
    elif row.key is None:
        return None  # "No category": the list cannot filter for a missing category
    else:
        query[report.group_by] = str(row.key)
    return f"{reverse('activities:list')}?{query.urlencode()}"


def _group_label(group_by: str) -> str:
    return str(dict(GROUP_BY_CHOICES)[group_by])


@require_GET
def cost_report_page(request):
    """Expected vs actual costs per group, with a chart and exports."""
    filter_form, group_form, filters, report = _build(request)
    rows = [(row, row_link(report, row, filters)) for row in report.rows]
    query = _params(request).urlencode()
    chart = {
        "labels": [row.label for row in report.rows],
        "expected": [str(row.expected.base) for row in report.rows],
        "actual": [str(row.actual.base) for row in report.rows],
        "expectedLabel": _("Expected (%(code)s)") % {"code": report.base_currency},
        "actualLabel": _("Actual (%(code)s)") % {"code": report.base_currency},
        "currency": report.base_currency,
    }
    context = {
        "nav": "reports",
        "filter_form": filter_form,
        "group_form": group_form,
        "report": report,
        "rows": rows,
        "group_label": _group_label(report.group_by),
        "chart": chart,
        "query": query,
    }
    return TemplateResponse(request, "reports/cost_report.html", context)


def _filename(report: CostReport, extension: str) -> str:
    return f"costs-by-{report.group_by}-{timezone.localdate().isoformat()}.{extension}"


@require_GET
def cost_report_csv(request):
    _f, _g, _filters, report = _build(request)
    response = HttpResponse(
        exports.to_csv(report, _group_label(report.group_by)), content_type="text/csv"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(report, "csv")}"'
    return response


@require_GET
def cost_report_xlsx(request):
    _f, _g, _filters, report = _build(request)
    response = HttpResponse(
        exports.to_xlsx(report, _group_label(report.group_by)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(report, "xlsx")}"'
    return response
