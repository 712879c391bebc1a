"""Amounts of the cost report in the user's number format, with their ISO code."""

from decimal import Decimal

from django import template

from dictionaries.money import Money

register = template.Library()


@register.simple_tag
def amount(value: Decimal | None, code: str) -> str:
    if not isinstance(value, Decimal):
        return ""
    return Money(value, code).format()


@register.filter
def in_currency(by_currency: dict, code: str):
    """The row's amount in one original currency, or None when it has none."""
    return by_currency.get(code)
