"""Universal dictionaries of the CRM: activity priorities and categories, and currencies.

Priorities and categories are configured by an administrator (Configuration > Universal
dictionaries > CRM). An entry in use is never deleted: it is deactivated, stays on the old
activities that name it, and is no longer offered for new ones.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class DictionaryQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class DictionaryEntry(models.Model):
    """Shared shape of a dictionary entry: a name per UI language, an order, a default.

    Subclasses get the same constraints (named per table): at most one default, and the
    default must be active, so a new activity always gets a usable default.
    """

    name_pl = models.CharField(_("name (Polish)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    is_default = models.BooleanField(_("default"), default=False)

    objects = DictionaryQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="%(app_label)s_%(class)s_one_default",
            ),
            models.CheckConstraint(
                condition=Q(is_default=False) | Q(is_active=True),
                name="%(app_label)s_%(class)s_default_is_active",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the language of the current request (Polish unless English)."""
        return getattr(self, self.name_field())

    @staticmethod
    def name_field() -> str:
        """The field of the name in the language of the current request: for lists that
        read the name as a plain value."""
        return "name_en" if (get_language() or "pl")[:2] == "en" else "name_pl"


class ActivityPriority(DictionaryEntry):
    """How much an activity weighs ("Priorytety działań"): Low, Normal, High by default."""

    history = HistoricalRecords(verbose_name=_("historical activity priority"))

    class Meta(DictionaryEntry.Meta):
        verbose_name = _("activity priority")
        verbose_name_plural = _("activity priorities")


class ActivityCategory(DictionaryEntry):
    """What an activity is for ("Kategorie działań"), e.g. Trade negotiations."""

    history = HistoricalRecords(verbose_name=_("historical activity category"))

    class Meta(DictionaryEntry.Meta):
        verbose_name = _("activity category")
        verbose_name_plural = _("activity categories")


class CurrencyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Currency(models.Model):
    """An ISO 4217 currency offered for costs; exactly one is the base of all sums.

    `minor_unit` is the number of decimal places of the currency (2 for PLN, 0 for JPY):
    an amount with more places than its currency has is refused rather than rounded
    behind the user's back.
    """

    code = models.CharField(_("code"), max_length=3, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    minor_unit = models.PositiveSmallIntegerField(_("decimal places"), default=2)
    is_base = models.BooleanField(_("base currency"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    objects = CurrencyQuerySet.as_manager()

    class Meta:
        ordering = ["-is_base", "code"]
        verbose_name = _("currency")
        verbose_name_plural = _("currencies")
        constraints = [
            models.UniqueConstraint(
                fields=["is_base"], condition=Q(is_base=True), name="currency_one_base"
            ),
            models.CheckConstraint(
                condition=Q(is_base=False) | Q(is_active=True), name="currency_base_is_active"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @classmethod
    def base(cls) -> "Currency":
        return cls.objects.get(is_base=True)

    @classmethod
    def base_code(cls) -> str | None:
        """The base currency's code: the default of every amount and the unit of sums."""
        return cls.objects.filter(is_base=True).values_list("code", flat=True).first()


class ExchangeRate(models.Model):
    """The value of one unit of a currency in the base currency on one day.

    NBP's table A publishes rates per 1, 100 or 10 000 units; they are stored per one unit,
    with enough places (10) that dividing a 100-unit rate loses nothing. A day without a
    rate (a weekend, a holiday) uses the latest earlier one: see `money_convert`.

    The rates are in the base currency of the day they were entered; choosing another base
    does not rewrite them, which the configuration page says out loud.
    """

    currency = models.ForeignKey(
        Currency, on_delete=models.CASCADE, related_name="rates", verbose_name=_("currency")
    )
    date = models.DateField(_("date"))
    rate = models.DecimalField(_("rate"), max_digits=20, decimal_places=10)
    source = models.CharField(_("source"), max_length=100, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["currency", "-date"]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        constraints = [
            models.UniqueConstraint(fields=["currency", "date"], name="exchange_rate_one_per_day"),
            models.CheckConstraint(condition=Q(rate__gt=0), name="exchange_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.currency_id} {self.date.isoformat()} {self.rate}"
