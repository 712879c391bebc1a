"""Reads of customers shared by the pages and the API."""

from django.db.models import Q, QuerySet

from customers.models import ContactPerson, Customer


def customer_search(*, q: str = "", active_only: bool = False) -> QuerySet:
    """Customers whose code, name, tax ID, e-mail or phone contains `q`, by name."""
    qs = Customer.objects.all()
    if active_only:
        qs = qs.filter(is_active=True)
    term = (q or "").strip()
    if term:
        digits = "".join(ch for ch in term if ch.isdigit())
        condition = (
            Q(code__icontains=term)
            | Q(name__icontains=term)
            | Q(email__icontains=term)
            | Q(phone__icontains=term)
        )
        if len(digits) >= 3:
            condition |= Q(tax_id__contains=digits)
        qs = qs.filter(condition)
    return qs.order_by("name", "id")


def contact_persons_of(*, customer_id: int, active_only: bool = True) -> QuerySet:
    qs = ContactPerson.objects.filter(customer_id=customer_id)
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.order_by("last_name", "first_name", "id")
