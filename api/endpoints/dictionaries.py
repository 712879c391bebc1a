"""Activity priorities and categories (read by everyone, written by administrators),
and the currencies of costs. Writes go through dictionaries.services, as the pages do."""

from datetime import date as date_type
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from ninja import Field, Router, Schema, Status

from api.errors import ApiValidationError, Forbidden, NotFound, django_errors, get_or_404
from api.schemas import (
    MAX_ID,
    CurrencyOut,
    Day,
    DictionaryEntryIn,
    DictionaryEntryOut,
    DictionaryEntryPatch,
    ErrorOut,
)
from dictionaries import services
from dictionaries.models import ActivityCategory, ActivityPriority, Currency, ExchangeRate
from dictionaries.selectors import rates_of
from employees.roles import is_crm_admin

router = Router(tags=["dictionaries"])

READ_ERRORS = {401: ErrorOut}
WRITE_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def entry_out(entry) -> dict:
    return {
        "id": entry.pk,
        "name": entry.name,
        "name_pl": entry.name_pl,
        "name_en": entry.name_en,
        "position": entry.position,
        "is_default": entry.is_default,
        "is_active": entry.is_active,
    }


def _require_admin(request) -> None:
    if not is_crm_admin(request.user):
        raise Forbidden()


def _as_field(field: str, call, **kwargs):
    """Runs a service; its refusal is reported on the field that asked for it."""
    try:
        return call(**kwargs)
    except ValidationError as exc:
        errors = django_errors(exc)
        if list(errors) == ["__all__"]:
            errors = {field: errors["__all__"]}
        raise ApiValidationError(errors) from exc


def _move_to(entry, position: int):
    entries = list(type(entry).objects.order_by("position", "id").values_list("pk", flat=True))
    target = min(position, len(entries)) - 1
    index = entries.index(entry.pk)
    direction = "up" if target < index else "down"
    for _step in range(abs(target - index)):
        entry = services.dictionary_entry_move(entry=entry, direction=direction)
    return entry


def _apply_flags(entry, *, is_active, is_default, position):
    if is_active is True:
        entry = services.dictionary_entry_activate(entry=entry)
    if is_default is True:
        entry = _as_field("is_default", services.dictionary_entry_set_default, entry=entry)
    elif is_default is False:
        entry = _as_field("is_default", services.dictionary_entry_clear_default, entry=entry)
    if is_active is False:
        entry = _as_field("is_active", services.dictionary_entry_deactivate, entry=entry)
    if position is not None:
        entry = _move_to(entry, position)
    entry.refresh_from_db()
    return entry


def _register(slug: str, model, noun: str) -> None:
    path = f"/dictionaries/{slug}"

    @router.get(
        path,
        response={200: list[DictionaryEntryOut], **READ_ERRORS},
        operation_id=f"{slug}_list",
        summary=f"List activity {slug}",
    )
    def entry_list(request):
        return [entry_out(e) for e in model.objects.order_by("position", "id")]

    @router.post(
        path,
        response={201: DictionaryEntryOut, **WRITE_ERRORS},
        operation_id=f"{slug}_create",
        summary=f"Add an activity {noun} (administrators)",
    )
    def entry_create(request, payload: DictionaryEntryIn):
        _require_admin(request)
        with transaction.atomic():
            entry = services.dictionary_entry_create(
                model=model, name_pl=payload.name_pl, name_en=payload.name_en
            )
            entry = _apply_flags(
                entry,
                is_active=payload.is_active,
                is_default=payload.is_default or None,
                position=payload.position,
            )
        return Status(201, entry_out(entry))

    @router.patch(
        path + "/{entry_id}",
        response={200: DictionaryEntryOut, **WRITE_ERRORS},
        operation_id=f"{slug}_update",
        summary=f"Rename, reorder, activate or make default an activity {noun} (administrators)",
    )
    def entry_update(request, entry_id: int, payload: DictionaryEntryPatch):
        _require_admin(request)
        entry = get_or_404(model, entry_id if 0 < entry_id <= MAX_ID else 0)
        with transaction.atomic():
            if payload.name_pl is not None or payload.name_en is not None:
                entry = services.dictionary_entry_rename(
                    entry=entry,
                    name_pl=entry.name_pl if payload.name_pl is None else payload.name_pl,
                    name_en=entry.name_en if payload.name_en is None else payload.name_en,
                )
            entry = _apply_flags(
                entry,
                is_active=payload.is_active,
                is_default=payload.is_default,
                position=payload.position,
            )
        return entry_out(entry)


_register("priorities", ActivityPriority, "priority")
_register("categories", ActivityCategory, "category")


@router.get(
    "/currencies",
    response={200: list[CurrencyOut], **READ_ERRORS},
    summary="List currencies",
    tags=["currencies"],
)
def currency_list(request):
    return list(Currency.objects.all())


class RateOut(Schema):
    date: date_type
    rate: str = Field(description="Value of ONE unit in the base currency, as a string.")
    source: str
    updated_at: datetime


class RateIn(Schema):
    date: Day
    rate: Decimal = Field(description='Value of ONE unit in the base currency, e.g. "4.2705".')


def _rate_out(rate: ExchangeRate) -> dict:
    return {
        "date": rate.date,
        "rate": format(rate.rate.normalize(), "f"),
        "source": rate.source,
        "updated_at": rate.updated_at,
    }


def _currency(code: str) -> Currency:
    code = code.upper()
    currency = Currency.objects.filter(code=code).first() if len(code) == 3 else None
    if currency is None:
        raise NotFound(Currency)
    return currency


@router.get(
    "/currencies/{code}/rates",
    response={200: list[RateOut], 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Exchange rates of a currency, newest first",
    tags=["currencies"],
)
def rate_list(request, code: str, date_from: Day | None = None, date_to: Day | None = None):
    currency = _currency(code)
    rates = rates_of(currency=currency, date_from=date_from, date_to=date_to)
    return [_rate_out(rate) for rate in rates[:1000]]


@router.post(
    "/currencies/{code}/rates",
    response={201: RateOut, **WRITE_ERRORS},
    summary="Enter (or replace) the rate of a currency on a day (administrators)",
    tags=["currencies"],
)
def rate_set(request, code: str, payload: RateIn):
    _require_admin(request)
    currency = _currency(code)
    rate = services.exchange_rate_set(currency=currency, on=payload.date, rate=payload.rate)
    return Status(201, _rate_out(rate))
