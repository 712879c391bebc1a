"""Import of customers, contact persons and activities from CSV or XLSX files.

A file is checked row by row through the same rules as the pages: customers and contact
persons through their forms, activities through `activities.services.activity_create`.
Every row is tried inside one transaction; the report lists each bad row with its number
(the header is row 1, as a spreadsheet shows it) and its messages per column. Nothing is
written unless every row is valid and the caller asked to commit: a dry run, or a file
with one bad row, rolls the whole transaction back.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities.services import ActivityInput, activity_create
from customers.forms import ContactPersonForm, CustomerModelForm
from customers.models import ContactPerson, Customer
from dictionaries.models import ActivityCategory, ActivityPriority
from dictionaries.money import Money
from employees.models import Employee
from imports.reading import ImportFileError, table_read

KINDS = {
    "customers": gettext_lazy("Customers"),
    "contact_persons": gettext_lazy("Contact persons"),
    "activities": gettext_lazy("CRM activities"),
}
COLUMNS = {
    "customers": ["code", "name", "tax_id", "address", "email", "phone", "is_active"],
    "contact_persons": [
        "customer_code",
        "first_name",
        "last_name",
        "position",
        "email",
        "phone",
        "is_active",
    ],
    "activities": [
        "kind",
        "subject",
        "customer_code",
        "contact_persons",
        "employees",
        "start",
        "end",
        "time_zone",
        "all_day",
        "place",
        "priority",
        "category",
        "in_schedule",
        "expected_cost",
        "expected_cost_currency",
        "actual_cost",
        "actual_cost_currency",
        "notes",
    ],
}
REQUIRED = {
    "customers": {"code", "name"},
    "contact_persons": {"customer_code", "last_name"},
    "activities": {"subject", "customer_code", "contact_persons", "employees", "start"},
}
LIST_SEPARATOR = ";"


@dataclass
class RowError:
    row: int
    errors: dict[str, list[str]]


@dataclass
class ImportReport:
    kind: str
    rows: int = 0
    bad_rows: list[RowError] = field(default_factory=list)
    committed: bool = False

    @property
    def ok(self) -> bool:
        return not self.bad_rows


# --- reading --------------------------------------------------------------------------


def rows_read(*, content: bytes, filename: str) -> list[dict[str, str]]:
    """The rows of a CSV (UTF-8, comma or semicolon) or XLSX (first sheet) file as dicts
    keyed by the header's column names (lower case), read within the bounds of
    `imports.reading`."""
    table = table_read(content=content, filename=filename)
    if not table:
        raise ImportFileError(_("The file is empty."))
    header = [h.lower() for h in table[0]]
    rows = []
    for cells in table[1:]:
        if not cells:
            rows.append(None)  # an empty line keeps its number but is skipped
            continue
        rows.append(dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=False)))
    return [{"__header__": header}, *rows]


# --- one row per kind -------------------------------------------------------------------


def _flag(value: str, default: bool) -> bool:
    if value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "tak", "y", "t", "x"}


def _form_errors(form) -> dict[str, list[str]]:
    return {
        (name if name != "__all__" else "__all__"): [str(m) for m in messages]
        for name, messages in form.errors.items()
    }


def _customer_row(row: dict, seen: set) -> None:
    data = {name: row.get(name, "") for name in COLUMNS["customers"]}
    data["is_active"] = _flag(data["is_active"], True)
    if data["code"] in seen:
        raise ValidationError({"code": [_("This code appears twice in the file.")]})
    seen.add(data["code"])
    form = CustomerModelForm(data=data)
    if not form.is_valid():
        raise ValidationError(_form_errors(form))
    form.save()


def _customer_by_code(code: str, errors: dict) -> Customer | None:
    customer = Customer.objects.filter(code=code).first() if code else None
    if customer is None:
        errors.setdefault("customer_code", []).append(
            _("No customer with the code “%(code)s”.") % {"code": code}
        )
    return customer


def _contact_person_row(row: dict, seen: set) -> None:
    errors: dict[str, list[str]] = {}
    customer = _customer_by_code(row.get("customer_code", ""), errors)
    data = {name: row.get(name, "") for name in COLUMNS["contact_persons"][1:]}
    data["is_active"] = _flag(data["is_active"], True)
    form = ContactPersonForm(data=data)
    if not form.is_valid():
        errors.update(_form_errors(form))
    if errors:
        raise ValidationError(errors)
    form.instance.customer = customer
    form.save()


def _named(model, text: str, column: str, errors: dict, scope: Q = Q()):  # noqa: B008
    """An employee or contact person by e-mail or by "First Last" (an employee also by
    login name)."""
    text = text.strip()
    found = model.objects.filter(scope & Q(email__iexact=text)).first() if "@" in text else None
    if found is None and model is Employee:
        found = Employee.objects.filter(user__username=text).first()  # a login name
    if found is None:
        matches = [p for p in model.objects.filter(scope) if p.full_name.lower() == text.lower()]
        found = matches[0] if len(matches) == 1 else None
    if found is None:
        errors.setdefault(column, []).append(_("Unknown: %(name)s.") % {"name": text})
    return found


def _entry(model, text: str, column: str, errors: dict):
    if not text:
        return None
    found = model.objects.filter(Q(name_pl__iexact=text) | Q(name_en__iexact=text)).first()
    if found is None:
        errors.setdefault(column, []).append(_("Unknown: %(name)s.") % {"name": text})
    return found


def _when(text: str, zone, column: str, errors: dict):
    if not text:
        return None
    try:
        value = (
            parse_datetime(text.replace(" ", "T", 1)) if "T" not in text else parse_datetime(text)
        )
        if value is None and len(text) == 10:
            value = parse_datetime(text + "T00:00")
    except ValueError:
        value = None
    if value is None:
        errors.setdefault(column, []).append(_("Enter a date and time, e.g. 2026-03-27 10:00."))
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=zone)


def _money(row: dict, column: str, errors: dict) -> Money | None:
    amount = row.get(column, "").replace(" ", "").replace(",", ".")
    if not amount:
        return None
    try:
        value = Decimal(amount)
    except InvalidOperation:
        errors.setdefault(column, []).append(_("Enter a number."))
        return None
    currency = row.get(f"{column}_currency", "").upper() or settings_base_currency()
    return Money(value, currency)


def settings_base_currency() -> str:
    from dictionaries.models import Currency

    return Currency.base_code()


def _activity_row(row: dict, seen: set, *, created_by=None) -> None:
    errors: dict[str, list[str]] = {}
    zone_name = row.get("time_zone") or settings.TIME_ZONE
    try:
        zone = zoneinfo.ZoneInfo(zone_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        errors["time_zone"] = [_("Unknown time zone: %(zone)s.") % {"zone": zone_name}]
        zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    customer = _customer_by_code(row.get("customer_code", ""), errors)
    names = [n for n in row.get("contact_persons", "").split(LIST_SEPARATOR) if n.strip()]
    persons = [
        _named(ContactPerson, n, "contact_persons", errors, Q(customer=customer))
        for n in names
        if customer is not None
    ]
    employees = [
        _named(Employee, n, "employees", errors)
        for n in row.get("employees", "").split(LIST_SEPARATOR)
        if n.strip()
    ]
    data = ActivityInput(
        kind=row.get("kind") or "meeting",
        subject=row.get("subject", ""),
        customer=customer,
        contact_persons=[p for p in persons if p is not None],
        employees=[e for e in employees if e is not None],
        start=_when(row.get("start", ""), zone, "start", errors),
        end=_when(row.get("end", ""), zone, "end", errors),
        time_zone=zone_name,
        all_day=_flag(row.get("all_day", ""), False),
        place=row.get("place", ""),
        notes=row.get("notes", ""),
        priority=_entry(ActivityPriority, row.get("priority", ""), "priority", errors),
        category=_entry(ActivityCategory, row.get("category", ""), "category", errors),
        in_schedule=_flag(row.get("in_schedule", ""), True),
        expected_cost=_money(row, "expected_cost", errors),
        actual_cost=_money(row, "actual_cost", errors),
    )
    try:
        activity_create(data=data, created_by=created_by)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            column = {"customer": "customer_code"}.get(name, name)
            errors.setdefault(column, []).extend(
                m for m in messages if m not in errors.get(column, [])
            )
    if errors:
        raise ValidationError(errors)


ROW_IMPORTERS = {
    "customers": _customer_row,
    "contact_persons": _contact_person_row,
    "activities": _activity_row,
}


# --- the import -----------------------------------------------------------------------


def import_run(
    *, kind: str, content: bytes, filename: str, commit: bool = False, created_by=None
) -> ImportReport:
    """Checks (and, with `commit` and no bad row, saves) every row of the file.

    Raises ImportFileError when the file cannot be read at all."""
    if kind not in ROW_IMPORTERS:
        raise ImportFileError(_("Unknown kind of import: %(kind)s.") % {"kind": kind})
    table = rows_read(content=content, filename=filename)
    header = table[0]["__header__"]
    missing = sorted(REQUIRED[kind] - set(header))
    if missing:
        raise ImportFileError(_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
    report = ImportReport(kind=kind)
    seen: set = set()
    importer = ROW_IMPORTERS[kind]
    extra = {"created_by": created_by} if kind == "activities" else {}
    with transaction.atomic():
        for number, row in enumerate(table[1:], start=2):
            if row is None:
                continue
            report.rows += 1
            try:
                with transaction.atomic():
                    importer(row, seen, **extra)
            except ValidationError as exc:
                errors = (
                    exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
                )
                report.bad_rows.append(RowError(row=number, errors=errors))
        if commit and report.ok:
            report.committed = True
        else:
            transaction.set_rollback(True)
    return report
