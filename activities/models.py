"""CRM activities ("działania CRM"): meetings, contacts (calls, e-mails) and tasks.

One model for the three kinds: they share every field of the article (customer, contact
persons, employees, time frame, place, priority, category, costs, follow-up link) and are
listed together on the customer's "All activities" tab.
"""

import zoneinfo
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from dictionaries.money import Money, amount_field
from employees.models import validate_time_zone


class ActivityKind(models.TextChoices):
    MEETING = "meeting", _("Meeting")
    CONTACT = "contact", _("Contact")
    TASK = "task", _("Task")


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ENDED = "ended", _("Ended")
    CANCELLED = "cancelled", _("Cancelled")


class Activity(models.Model):
    """A meeting, contact or task with a customer, held or planned.

    `start` and `end` are aware datetimes (stored in UTC) and `time_zone` is the IANA zone
    they were entered in: follow-ups count calendar days in that zone, so a daylight-saving
    change never moves them by an hour. An all-day activity runs from local midnight of its
    first day to local midnight after its last day (the end is exclusive, as in iCalendar).

    `previous` links a follow-up to the activity it follows; the reverse side is `next`.
    Being one-to-one, an activity has at most one follow-up: the database itself refuses
    a second one.
    """

    kind = models.CharField(
        _("kind"), max_length=10, choices=ActivityKind.choices, default=ActivityKind.MEETING
    )
    subject = models.CharField(_("subject"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("customer"),
    )
    contact_persons = models.ManyToManyField(
        "customers.ContactPerson", related_name="activities", verbose_name=_("contact persons")
    )
    employees = models.ManyToManyField(
        "employees.Employee", related_name="activities", verbose_name=_("employees")
    )
    leader = models.ForeignKey(
        "employees.Employee",
        on_delete=models.PROTECT,
        related_name="led_activities",
        verbose_name=_("leader"),
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    time_zone = models.CharField(
        _("time zone"), max_length=64, default=settings.TIME_ZONE, validators=[validate_time_zone]
    )
    all_day = models.BooleanField(_("all day"), default=False)
    place = models.TextField(_("place"), blank=True)
    priority = models.ForeignKey(
        "dictionaries.ActivityPriority",
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("priority"),
    )
    category = models.ForeignKey(
        "dictionaries.ActivityCategory",
        on_delete=models.PROTECT,
        related_name="activities",
        null=True,
        blank=True,
        verbose_name=_("category"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ActivityStatus.choices, default=ActivityStatus.PLANNED
    )
    in_schedule = models.BooleanField(_("in the employee's schedule"), default=True)
    expected_cost = amount_field(_("expected costs"))
    expected_cost_currency = models.ForeignKey(
        "dictionaries.Currency",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("expected costs currency"),
    )
    actual_cost = amount_field(_("actual costs"))
    actual_cost_currency = models.ForeignKey(
        "dictionaries.Currency",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("actual costs currency"),
    )
    previous = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next",
        verbose_name=_("previous activity"),
    )
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    # Change history (who, when, which fields): django-simple-history, shown on the page.
    history = HistoricalRecords(
        excluded_fields=["updated_at", "version"], m2m_fields=[employees, contact_persons]
    )

    class Meta:
        ordering = ["-start", "-id"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        permissions = [("reopen_activity", _("Can reopen an ended or cancelled activity"))]
        indexes = [
            models.Index(fields=["customer", "-start", "-id"], name="activity_customer_start"),
            models.Index(
                fields=["customer", "kind", "-start", "-id"], name="activity_cust_kind_start"
            ),
            models.Index(fields=["-start", "-id"], name="activity_start"),
            # The customer's header and tab badges count its activities per kind and
            # status: answered from this index alone, without reading a row.
            models.Index(fields=["customer", "kind", "status"], name="activity_cust_kind_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=F("start")), name="activity_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ActivityKind.values), name="activity_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ActivityStatus.values), name="activity_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(expected_cost__isnull=True) | Q(expected_cost__gte=0),
                name="activity_expected_cost_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(actual_cost__isnull=True) | Q(actual_cost__gte=0),
                name="activity_actual_cost_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(expected_cost__isnull=True, expected_cost_currency__isnull=True)
                | Q(expected_cost__isnull=False, expected_cost_currency__isnull=False),
                name="activity_expected_cost_has_currency",
            ),
            models.CheckConstraint(
                condition=Q(actual_cost__isnull=True, actual_cost_currency__isnull=True)
                | Q(actual_cost__isnull=False, actual_cost_currency__isnull=False),
                name="activity_actual_cost_has_currency",
            ),
            models.CheckConstraint(
                condition=~Q(previous=F("id")), name="activity_not_its_own_follow_up"
            ),
            models.CheckConstraint(condition=~Q(subject=""), name="activity_subject_not_empty"),
        ]

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        return reverse("activities:detail", args=[self.pk])

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def is_ended(self) -> bool:
        return self.status == ActivityStatus.ENDED

    @property
    def is_editable(self) -> bool:
        """An ended activity is locked, as the vendor's "Ended" checkbox locks the form."""
        return self.status != ActivityStatus.ENDED

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    @property
    def local_start(self):
        return self.start.astimezone(self.zone)

    @property
    def local_end(self):
        return self.end.astimezone(self.zone)

    @property
    def last_day(self):
        """The last day of an all-day activity (its stored end is exclusive)."""
        return (
            (self.local_end - timedelta(days=1)).date() if self.all_day else self.local_end.date()
        )

    @property
    def expected_money(self) -> Money | None:
        if self.expected_cost is None:
            return None
        return Money(self.expected_cost, self.expected_cost_currency_id)

    @property
    def actual_money(self) -> Money | None:
        if self.actual_cost is None:
            return None
        return Money(self.actual_cost, self.actual_cost_currency_id)
