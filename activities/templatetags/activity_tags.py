"""Template helpers for showing activities: money in the user's locale, status badges."""

from django import template
from django.utils.translation import get_language

from dictionaries.money import Money

register = template.Library()


@register.filter
def money(value: Money | None) -> str:
    """Formats money with Babel in the current language (12 345,50 zł / PLN 12,345.50)."""
    if value is None:
        return ""
    return value.format()


STATUS_CLASSES = {
    "planned": "text-bg-primary",
    "ended": "text-bg-secondary",
    "cancelled": "text-bg-light border",
}
KIND_ICONS = {"meeting": "bi-people", "contact": "bi-telephone", "task": "bi-check2-square"}


@register.filter
def status_class(status: str) -> str:
    return STATUS_CLASSES.get(status, "text-bg-light")


@register.filter
def kind_icon(kind: str) -> str:
    return KIND_ICONS.get(kind, "bi-circle")


@register.simple_tag
def current_language() -> str:
    return (get_language() or "pl")[:2]
