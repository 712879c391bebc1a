"""CRM activities ("działania CRM"): meetings, contacts (calls, e-mails) and tasks.

One model for the three kinds: they share every field of the article (customer, contact
persons, employees, time frame, place, priority, category, costs, follow-up link) and are
listed together on the customer's "All activities" tab.
"""

import zoneinfo
from collections.abc import Iterable
from datetime import UTC, timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from dictionaries.money import Money, amount_field
from employees.models import validate_time_zone
from spotkania import limits


class ActivityKind(models.TextChoices):
    MEETING = "meeting", _("Meeting")
    CONTACT = "contact", _("Contact")
    TASK = "task", _("Task")


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ENDED = "ended", _("Ended")
    CANCELLED = "cancelled", _("Cancelled")


# The activity's fields each Participation copies.
PARTICIPATION_COPY = ("customer", "start", "end", "in_schedule", "kind", "status")
# Their columns (attribute names), as rows loaded from the database name them.
PARTICIPATION_COLUMNS = ("customer_id", "start", "end", "in_schedule", "kind", "status")
# Activities longer than this are looked up apart when searching by time (see Participation).
SHORT_SPAN = timedelta(days=7)


def _copied_columns_among(names: Iterable[str]) -> set[str]:
    """The copied columns that `names` name, by field name or column (attribute) name,
    as `save(update_fields=...)` and `refresh_from_db(fields=...)` take either."""
    names = set(names)
    return {
        column
        for field, column in zip(PARTICIPATION_COPY, PARTICIPATION_COLUMNS, strict=True)
        if field in names or column in names
    }


class Participation(models.Model):
    """An employee taking part in an activity: the link behind `Activity.employees`.

    It carries a copy of the activity's `start`, `end` and `in_schedule`, so that an
    employee's week, the schedule-conflict check and the list filtered by employee read a
    few entries of the (employee, start) index instead of visiting every activity the
    employee ever had (10 000 for a busy salesperson after three years; bench/). It also
    carries the activity's `customer`, so that what an employee may see of one customer
    (visibility, activities.selectors) is one range of the (employee, customer) index:
    the few links of that customer rather than all 10 000; and its `kind` and `status`,
    so that the customer page's counts per kind and status are that range of an index
    too (SQLite 6.5 -> 1 ms for the busiest pair, 7 500 links). The copy is written when the
    link is made (`copies_of` as the through defaults) and by `Activity.save()` when
    these fields change, in the same transaction.

    Overlap with [from, to) needs start < to and end > from; an index on start bounds the
    first half only, so every earlier activity would still be read. Activities are short,
    so entries that start more than SHORT_SPAN before `from` cannot overlap, unless they
    are `long_running` (longer than SHORT_SPAN), which are few and have their own index:
    see `activities.selectors.participations_overlapping`.
    """

    activity = models.ForeignKey(
        "activities.Activity", on_delete=models.CASCADE, related_name="participations"
    )
    employee = models.ForeignKey(
        "employees.Employee", on_delete=models.CASCADE, related_name="participations"
    )
    # PROTECT as the activity's own link: a customer with activities is never deleted.
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("customer"),
        editable=False,
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    in_schedule = models.BooleanField(_("in the employee's schedule"))
    kind = models.CharField(_("kind"), max_length=10, choices=ActivityKind.choices, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=ActivityStatus.choices, editable=False
    )
    long_running = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        unique_together = [("activity", "employee")]
        indexes = [
            # Holds every column the time queries read (no visit to the row), in the
            # order of the employee's list (newest first, ties by activity).
            models.Index(
                fields=["employee", "start", "activity", "end", "in_schedule"],
                name="participation_employee_start",
            ),
            models.Index(
                fields=["employee", "start"],
                condition=Q(long_running=True),
                name="participation_long_running",
            ),
            # What an employee may see of one customer, newest first.
            models.Index(
                fields=["employee", "customer", "-start", "-activity"],
                name="participation_emp_customer",
            ),
            # The counts of what an employee may see of one customer, per kind and status.
            models.Index(
                fields=["employee", "customer", "kind", "status"],
                name="participation_emp_cust_kind",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=F("start")), name="participation_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} @ {self.activity_id}"

    @staticmethod
    def copies_of(activity: "Activity") -> dict:
        """The columns copied from the activity."""
        return {
            "customer_id": activity.customer_id,
            "start": activity.start,
            "end": activity.end,
            "in_schedule": activity.in_schedule,
            "kind": activity.kind,
            "status": activity.status,
            "long_running": activity.duration > SHORT_SPAN,
        }


# Kept by name so that activities.services can write one history entry for a save and
# its relations together (see `_history_write`), not one per relation set, and so that
# Activity.save() can write its entry once the links' copies are up to date.
ACTIVITY_HISTORY = HistoricalRecords(
    excluded_fields=["updated_at", "version"], m2m_fields=["employees", "contact_persons"]
)


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
    notes = limits.text_field(_("notes"), max_length=100_000, blank=True)
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
        "employees.Employee",
        through=Participation,
        related_name="activities",
        verbose_name=_("employees"),
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
    # The start's date in the activity's own zone, kept by save(): the day whose exchange
    # rate converts its costs and the day the cost report groups by. Stored, because
    # converting a million start times to their zones in SQL takes seconds (bench/).
    local_start_date = models.DateField(_("start date (local)"), editable=False)
    all_day = models.BooleanField(_("all day"), default=False)
    place = limits.text_field(_("place"), max_length=100_000, blank=True)
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
        db_index=False,  # indexed with the start: activity_created_by_start
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    # Change history (who, when, which fields): django-simple-history, shown on the page.
    history = ACTIVITY_HISTORY

    class Meta:
        ordering = ["-start", "-id"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        permissions = [("reopen_activity", _("Can reopen an ended or cancelled activity"))]
        indexes = [
            # The customer's list, newest first. With the creator, so that which of them
            # a user may see (their links, or created by them: activities.selectors) is
            # decided from the index alone, also for the thousands a deep page skips.
            models.Index(
                fields=["customer", "-start", "-id", "created_by"], name="activity_customer_list"
            ),
            models.Index(
                fields=["customer", "kind", "-start", "-id"], name="activity_cust_kind_start"
            ),
            # Every activity newest first, with the creator for the same reason as above.
            models.Index(fields=["-start", "-id", "created_by"], name="activity_list"),
            # What a user created, newest first (a page of what they may see is merged
            # from these and their links: activities.selectors.visible_page_ids).
            models.Index(fields=["created_by", "-start", "-id"], name="activity_created_by_start"),
            # The customer's header and tab badges count its activities per kind and
            # status: answered from this index alone, without reading a row. With the id
            # (SQLite's indexes hold it anyway; PostgreSQL's do not), so that what an
            # employee may see of the customer is matched by id against their links from
            # the index alone too (36 -> 16 ms on PostgreSQL for the busiest customer).
            # With the creator: an employee's counts add what they created of the customer
            # without taking part (activities.selectors.activity_counts), found in the
            # index, not by reading each of the customer's 9 000 rows (SQLite: 15 ms).
            models.Index(
                fields=["customer", "kind", "status", "id", "created_by"],
                name="activity_cust_kind_creator",
            ),
            # The cost report (reports.selectors) sums amounts per (day, currencies,
            # group): over everything, an index-only scan in day order with no sort (at a
            # million activities 1.5 s -> 0.34 s on SQLite, 0.70 s -> 0.33 s PostgreSQL).
            models.Index(
                fields=[
                    "local_start_date",
                    "expected_cost_currency",
                    "actual_cost_currency",
                    "category",
                    "expected_cost",
                    "actual_cost",
                ],
                name="activity_cost_day",
            ),
            # A customer's cost totals: only its activities with a cost (a third), read
            # from the index alone (21-40 ms -> 3.5 ms for the busiest customer).
            models.Index(
                fields=[
                    "customer",
                    "local_start_date",
                    "expected_cost_currency",
                    "actual_cost_currency",
                    "expected_cost",
                    "actual_cost",
                ],
                condition=Q(expected_cost_currency__isnull=False)
                | Q(actual_cost_currency__isnull=False),
                name="activity_cost_customer",
            ),
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

    def save(self, *args, **kwargs) -> None:
        """Also keeps the copies in step, whoever saves (services, admin, tests):
        `local_start_date`, and the customer and times its employees' links carry
        (Participation), before the history entry copies the links."""
        self.local_start_date = self.local_start.date()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"start", "time_zone"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "local_start_date"}
        adding = self._state.adding
        saved = getattr(self, "_saved_copies", None)
        current = self._copies()
        # django-simple-history writes the history entry, with copies of the links, on
        # post_save: inside super().save(), before the links below are brought up to
        # date, so it would record their previous times and status. It is written after
        # them instead, unless the caller writes it (activities.services).
        holds_history = not hasattr(self, "skip_history_when_saving")
        if holds_history:
            self.skip_history_when_saving = True
        try:
            super().save(*args, **kwargs)
        finally:
            if holds_history:
                del self.skip_history_when_saving
        # Only what this save wrote: a field left out of update_fields, changed in memory
        # only, must not reach the links, nor be taken as saved.
        written = (
            set(PARTICIPATION_COLUMNS)
            if update_fields is None
            else _copied_columns_among(update_fields)
        )
        if saved is None:  # not read from the database whole: assume everything changed
            saved, changed = current, set(PARTICIPATION_COLUMNS)
        else:
            changed = {
                column
                for column, before, now in zip(PARTICIPATION_COLUMNS, saved, current, strict=True)
                if before != now
            }
        if not adding and written & changed:
            copies = Participation.copies_of(self)
            if {"start", "end"} & written:
                written.add("long_running")
            self.participations.update(**{k: v for k, v in copies.items() if k in written})
        self._saved_copies = tuple(
            now if column in written else before
            for column, before, now in zip(PARTICIPATION_COLUMNS, saved, current, strict=True)
        )
        if holds_history:
            ACTIVITY_HISTORY.post_save(self, created=adding, using=self._state.db)

    def get_absolute_url(self) -> str:
        return reverse("activities:detail", args=[self.pk])

    def refresh_from_db(self, using=None, fields=None, from_queryset=None) -> None:
        """Also takes the copied columns it reloads as saved, so that `save()` compares
        them with what the database holds now, not with an earlier read that a save
        elsewhere may have moved on (it would skip or wrongly write the links' update).

        The columns not reloaded keep what was known of them; if nothing was known (a
        read that left some out), reloading some is not enough and `save()` still
        writes them all. A `from_queryset` with its own only() or defer() may leave
        columns out unseen: after it nothing is taken as known."""
        if fields is not None:
            fields = list(fields)  # read twice
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)
        if fields is not None:
            reloaded = _copied_columns_among(fields)
        elif from_queryset is not None and from_queryset.query.deferred_loading[0]:
            self.__dict__.pop("_saved_copies", None)
            return
        else:
            deferred = self.get_deferred_fields()
            reloaded = {column for column in PARTICIPATION_COLUMNS if column not in deferred}
        saved = getattr(self, "_saved_copies", None)
        known = {} if saved is None else dict(zip(PARTICIPATION_COLUMNS, saved, strict=True))
        known.update({column: getattr(self, column) for column in reloaded})
        if len(known) == len(PARTICIPATION_COLUMNS):
            self._saved_copies = tuple(known[column] for column in PARTICIPATION_COLUMNS)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        if set(PARTICIPATION_COLUMNS) <= set(field_names):
            instance._saved_copies = instance._copies()
        return instance

    def _copies(self) -> tuple:
        return tuple(getattr(self, name) for name in PARTICIPATION_COLUMNS)

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
        """Elapsed time. In UTC: two datetimes of one local zone subtract as wall clocks
        (an activity built from a form, not yet read back, holds local times)."""
        return self.end.astimezone(UTC) - self.start.astimezone(UTC)

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
