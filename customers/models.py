"""Customers ("kontrahenci") and their contact persons ("osoby kontaktowe")."""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from customers.validators import validate_nip
from spotkania import limits


class Customer(models.Model):
    """A company (or person) the employees meet: a customer or a vendor.

    A customer with activities is never deleted, only deactivated, so the history of
    meetings held with it stays whole.
    """

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=250)
    tax_id = models.CharField(
        _("tax ID (NIP)"), max_length=10, blank=True, validators=[validate_nip]
    )
    address = limits.text_field(_("address"), max_length=10_000, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Raised by every save through customers.services: a form or API call made on an
    # older version is refused rather than overwriting what someone saved meanwhile.
    version = models.PositiveIntegerField(_("version"), default=1)
    # Change history (who, when, which fields): django-simple-history, shown on the page.
    history = HistoricalRecords(excluded_fields=["updated_at", "version"])

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [models.Index(Lower("name"), name="customer_name_lower")]
        constraints = [
            models.CheckConstraint(condition=~Q(code=""), name="customer_code_not_empty"),
            models.CheckConstraint(condition=~Q(name=""), name="customer_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("customers:detail", args=[self.pk])


class ContactPerson(models.Model):
    """A person at one customer whom employees talk to and meet."""

    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        related_name="contact_persons",
        verbose_name=_("customer"),
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    position = models.CharField(_("position"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # Optimistic locking, as on Customer.
    version = models.PositiveIntegerField(_("version"), default=1)
    # Change history (who, when, which fields): django-simple-history, shown on the page.
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")
        constraints = [
            models.CheckConstraint(
                condition=~Q(last_name=""), name="contactperson_last_name_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()
