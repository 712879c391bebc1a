"""Configuration > Costs: currencies (offered or not, which one is the base) and their
exchange rates, entered by hand here or imported with `manage.py import_rates`.

Staff only, as the dictionary pages. Thin views over `dictionaries.services`.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dictionaries import selectors, services
from dictionaries.forms import CurrencyAddForm, ExchangeRateForm, RateFilterForm
from dictionaries.models import Currency, ExchangeRate
from dictionaries.views import crm_admin_required
from spotkania.paging import paginate, query_without_page

RATE_PAGE_SIZE = 50


def _currency(code: str) -> Currency:
    return get_object_or_404(Currency, code=code.upper())


@crm_admin_required
@require_GET
def currency_list(request, add_form: CurrencyAddForm | None = None):
    currencies = list(selectors.currencies_with_rates())
    for currency in currencies:
        currency.display_name = selectors.currency_display_name(currency.code)
    context = {
        "nav": "configuration",
        "currencies": currencies,
        "add_form": add_form or CurrencyAddForm(),
        "rate_count": sum(c.rate_count for c in currencies),
    }
    return TemplateResponse(request, "dictionaries/currency_list.html", context)


@crm_admin_required
@require_POST
def currency_add(request):
    form = CurrencyAddForm(request.POST)
    if form.is_valid():
        currency = services.currency_add(code=form.cleaned_data["code"])
        messages.success(request, _("%(code)s is offered for costs.") % {"code": currency.code})
        return redirect("currencies:list")
    request.method = "GET"
    return currency_list(request, add_form=form)


ACTIONS = {
    "activate": (services.currency_activate, gettext_lazy("%(code)s is offered for costs again.")),
    "deactivate": (
        services.currency_deactivate,
        gettext_lazy(
            "%(code)s is no longer offered for new costs; activities that use it keep it."
        ),
    ),
    "base": (
        services.currency_set_base,
        gettext_lazy(
            "%(code)s is now the base currency. The existing rates are still in the old "
            "base currency: enter or import the rates in %(code)s."
        ),
    ),
}


@crm_admin_required
@require_POST
def currency_action(request, code: str, action: str):
    """Activates or deactivates a currency, or makes it the base."""
    try:
        run, success = ACTIONS[action]
    except KeyError:
        raise Http404 from None
    currency = _currency(code)
    try:
        run(currency=currency)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        level = messages.WARNING if action == "base" else messages.SUCCESS
        messages.add_message(request, level, str(success) % {"code": currency.code})
    return redirect("currencies:list")


def _parse_day(day: str) -> date:
    try:
        return date.fromisoformat(day)
    except ValueError:
        raise Http404 from None


def _rate_error(form, error: ValidationError) -> None:
    """Puts the service's refusal on the field it names (rate or currency -> form)."""
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error)


@crm_admin_required
@require_http_methods(["GET", "POST"])
def rate_list(request, code: str):
    """The rates of one currency, newest first, filtered by date; and a form to add one."""
    currency = _currency(code)
    form = ExchangeRateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rate = services.exchange_rate_set(
                currency=currency, on=form.cleaned_data["date"], rate=form.cleaned_data["rate"]
            )
        except ValidationError as error:
            _rate_error(form, error)
        else:
            messages.success(
                request,
                _("Saved the rate of %(code)s on %(date)s.")
                % {"code": currency.code, "date": rate.date.isoformat()},
            )
            return redirect("currencies:rates", currency.code)
    filter_form = RateFilterForm(request.GET or None)
    filter_form.is_valid()
    cleaned = getattr(filter_form, "cleaned_data", {})
    rates = selectors.rates_of(
        currency=currency, date_from=cleaned.get("date_from"), date_to=cleaned.get("date_to")
    )
    base = Currency.objects.filter(is_base=True).first()
    context = {
        "nav": "configuration",
        "currency": currency,
        "display_name": selectors.currency_display_name(currency.code),
        "base": base,
        "form": form,
        "filter_form": filter_form,
        "page_obj": paginate(request, rates, RATE_PAGE_SIZE),
        "query": query_without_page(request),
    }
    return TemplateResponse(request, "dictionaries/rate_list.html", context)


@crm_admin_required
@require_http_methods(["GET", "POST"])
def rate_edit(request, code: str, day: str):
    """Changes the rate of one day (the day itself is the key: to move it, add another)."""
    currency = _currency(code)
    rate = get_object_or_404(ExchangeRate, currency=currency, date=_parse_day(day))
    form = ExchangeRateForm(
        request.POST or None, initial={"date": rate.date, "rate": rate.rate.normalize()}
    )
    form.fields["date"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.exchange_rate_set(
                currency=currency, on=rate.date, rate=form.cleaned_data["rate"]
            )
        except ValidationError as error:
            _rate_error(form, error)
        else:
            messages.success(
                request,
                _("Saved the rate of %(code)s on %(date)s.")
                % {"code": currency.code, "date": rate.date.isoformat()},
            )
            return redirect("currencies:rates", currency.code)
    context = {
        "nav": "configuration",
        "currency": currency,
        "display_name": selectors.currency_display_name(currency.code),
        "base": Currency.objects.filter(is_base=True).first(),
        "rate": rate,
        "form": form,
    }
    return TemplateResponse(request, "dictionaries/rate_edit.html", context)
