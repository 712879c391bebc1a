"""Forms of the activity pages: parsing and per-field display; the rules are in services."""

import zoneinfo
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from activities.models import Activity, ActivityKind, ActivityStatus
from activities.selectors import ActivityFilters
from activities.services import ActivityInput, FollowUp
from customers.models import ContactPerson, Customer
from customers.selectors import contact_persons_of
from dictionaries.forms import DictionaryChoiceField
from dictionaries.models import ActivityCategory, ActivityPriority, Currency
from dictionaries.money import Money
from dictionaries.selectors import default_priority
from employees.models import Employee
from spotkania import limits


class ActivityFilterForm(forms.Form):
    """The filters shared by the customer's "All activities" tab and the list of all
    activities. Invalid values are reported on their field and ignored."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All kinds")), *ActivityKind.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All statuses")), *ActivityStatus.choices],
        required=False,
    )
    employee = limits.ModelChoiceField(
        label=_("Employee"),
        queryset=Employee.objects.all(),
        required=False,
        empty_label=_("All employees"),
    )
    category = DictionaryChoiceField(
        label=_("Category"),
        queryset=ActivityCategory.objects.all(),
        required=False,
        empty_label=_("All categories"),
    )
    priority = DictionaryChoiceField(
        label=_("Priority"),
        queryset=ActivityPriority.objects.all(),
        required=False,
        empty_label=_("All priorities"),
    )
    # <input type="date"> speaks ISO 8601 whatever the page's language.
    start_from = limits.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    start_to = limits.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, fixed_kind: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if fixed_kind:
            del self.fields["kind"]
        for name, field in self.fields.items():
            css = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )
            field.widget.attrs.setdefault("class", css)
            field.widget.attrs.setdefault("id", f"filter_{name}")
        # Hundreds of employees: the select holds only the chosen one and searches the
        # rest as the user types (Tom Select, employees:search), instead of rendering an
        # option per employee on every list page.
        employee = self.fields["employee"]
        employee.widget.attrs.update(
            {"data-tom-select": "", "data-search-url": reverse("employees:search")}
        )
        chosen = limits.parse_id(self.data.get("employee")) if self.is_bound else None
        people = (
            Employee.objects.filter(pk=chosen).only("id", "first_name", "last_name")
            if chosen
            else []
        )
        employee.widget.choices = [("", employee.empty_label)] + [
            (e.pk, e.full_name) for e in people
        ]

    def to_filters(self, **overrides) -> ActivityFilters:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})

        def pk(name):
            obj = data.get(name)
            return obj.pk if obj is not None else None

        values = {
            "kind": data.get("kind") or None,
            "status": data.get("status") or None,
            "employee": pk("employee"),
            "category": pk("category"),
            "priority": pk("priority"),
            "start_from": data.get("start_from"),
            "start_to": data.get("start_to"),
            "q": data.get("q") or "",
        }
        values.update(overrides)
        return ActivityFilters(**values)


# Zones offered in the time-zone select: where a Polish sales team's customers usually are.
# The activity's own zone and the user's are added when they are not among them.
COMMON_TIME_ZONES = [
    "Europe/Warsaw",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Lisbon",
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/Amsterdam",
    "Europe/Prague",
    "Europe/Vienna",
    "Europe/Stockholm",
    "Europe/Vilnius",
    "Europe/Kyiv",
    "Europe/Istanbul",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Asia/Dubai",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "UTC",
]

DATETIME_LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
DATE_FORMAT = "%Y-%m-%d"


class LocalDateTimeField(forms.DateTimeField):
    """A `datetime-local` input parsed as a naive wall-clock time.

    Django's DateTimeField would read it in the request's time zone; an activity's times
    belong to the zone chosen on the form, which the form attaches in `clean()`. A bare
    date (the input of an all-day activity) reads as midnight.
    """

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL_FORMAT)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value
        try:
            result = parse_datetime(str(value).strip())
        except ValueError:
            result = None
        if result is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return result

    def prepare_value(self, value):
        # Naive wall-clock values are shown as they are, never shifted into another zone.
        return value


class AmountField(forms.DecimalField):
    """An amount typed the Polish way ("1 234,50") or the English way ("1,234.50").

    Spaces are thousands separators. When both ',' and '.' appear, the rightmost is the
    decimal separator; a single one of them is always the decimal separator, so "12,50" is
    12.50 whatever the page's language. The number of places is checked by the service,
    per currency, so an ambiguous "1,234" is refused there rather than read as 1234.
    """

    default_error_messages = {"invalid": _("Enter an amount, e.g. 1250,50.")}
    # A text input, not type="number": a number input takes only the browser's own decimal
    # mark, so "120,50" could not be typed on an English browser or "120.50" on a Polish one.
    widget = forms.TextInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("localize", True)  # an edit form shows "120,50" to Polish users
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        text = "".join(str(value).split()).replace("\u202f", "").replace("\u00a0", "")
        if "," in text and "." in text:
            decimal_sep = "," if text.rfind(",") > text.rfind(".") else "."
            thousands_sep = "." if decimal_sep == "," else ","
            text = text.replace(thousands_sep, "").replace(decimal_sep, ".")
        elif text.count(",") == 1:
            text = text.replace(",", ".")
        elif text.count(",") > 1:
            text = text.replace(",", "")
        elif text.count(".") > 1:
            text = text.replace(".", "")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if not amount.is_finite():
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return amount

    def validate(self, value):
        forms.Field.validate(self, value)

    def widget_attrs(self, widget):
        return {"inputmode": "decimal"}


class EmployeeChoiceField(limits.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.full_name


class EmployeeMultipleChoiceField(limits.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.full_name


class CustomerChoiceField(limits.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.code})"


FOLLOW_UP_UNIT_CHOICES = [("hours", _("hours")), ("days", _("days")), ("weeks", _("weeks"))]


class ActivityForm(forms.Form):
    """One form for meetings, contacts and tasks, new or edited.

    It parses what the browser sends (times in the chosen zone, amounts with a decimal
    comma) and builds an `ActivityInput` and a `FollowUp`; what makes an activity valid
    (rule 1's required customer, employee and contact person, end not before start, costs,
    follow-up) is decided by `activities.services`, whose per-field errors `add_service_errors`
    puts back on the fields. That is why the fields the services check are not `required`
    here: one rule, one message.
    """

    kind = forms.ChoiceField(label=_("Kind"), choices=ActivityKind.choices)
    subject = forms.CharField(
        label=_("Subject"), max_length=limits.max_length(Activity, "subject"), required=False
    )
    customer = CustomerChoiceField(
        label=_("Customer"), queryset=Customer.objects.all(), required=False
    )
    contact_persons = limits.ModelMultipleChoiceField(
        label=_("Contact persons"),
        queryset=ContactPerson.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    employees = EmployeeMultipleChoiceField(
        label=_("Employees"), queryset=Employee.objects.none(), required=False
    )
    leader = EmployeeChoiceField(
        label=_("Leader"), queryset=Employee.objects.none(), required=False
    )
    start = LocalDateTimeField(label=_("Start"), required=False)
    end = LocalDateTimeField(label=_("End"), required=False)
    all_day = forms.BooleanField(label=_("All day"), required=False)
    time_zone = forms.ChoiceField(label=_("Time zone"))
    place = forms.CharField(
        label=_("Place"),
        max_length=limits.max_length(Activity, "place"),
        required=False,
        widget=forms.Textarea,
    )
    priority = limits.ModelChoiceField(
        label=_("Priority"),
        queryset=ActivityPriority.objects.none(),
        required=False,
        empty_label=None,
    )
    category = limits.ModelChoiceField(
        label=_("Category"), queryset=ActivityCategory.objects.none(), required=False
    )
    follow_up = forms.BooleanField(label=_("Schedule the next contact/meeting in"), required=False)
    follow_up_value = forms.IntegerField(label=_("Number"), required=False)
    follow_up_unit = forms.ChoiceField(
        label=_("Unit"), choices=FOLLOW_UP_UNIT_CHOICES, required=False
    )
    follow_up_at = LocalDateTimeField(label=_("or on"), required=False)
    follow_up_kind = forms.ChoiceField(
        label=_("Kind of the next activity"), choices=ActivityKind.choices, required=False
    )
    in_schedule = forms.BooleanField(label=_("Add to the employee's schedule"), required=False)
    expected_cost = AmountField(label=_("Expected costs"), required=False)
    expected_cost_currency = forms.ModelChoiceField(
        label=_("Currency"), queryset=Currency.objects.none(), required=False
    )
    actual_cost = AmountField(label=_("Actual costs"), required=False)
    actual_cost_currency = forms.ModelChoiceField(
        label=_("Currency"), queryset=Currency.objects.none(), required=False
    )
    notes = forms.CharField(
        label=_("Notes"),
        max_length=limits.max_length(Activity, "notes"),
        required=False,
        widget=forms.Textarea,
    )
    send_invitations = forms.BooleanField(
        label=_("Send invitations to the participants (e-mail)"), required=False
    )
    ignore_conflicts = forms.BooleanField(label=_("Save despite the overlap"), required=False)
    # The version the user read (optimistic locking); a save on an older one is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    # Fields whose errors the template shows inside another field's block.
    FOLLOW_UP_FIELDS = ("follow_up_value", "follow_up_unit", "follow_up_at", "follow_up_kind")

    def __init__(
        self,
        *args,
        activity: Activity | None = None,
        user_employee: Employee | None = None,
        kind: str | None = None,
        customer: Customer | None = None,
        **kwargs,
    ):
        self.activity = activity
        if activity is None:
            kwargs.setdefault("initial", {})
            kwargs["initial"] = {
                **self.initial_for_new(kind=kind, customer=customer, employee=user_employee),
                **kwargs["initial"],
            }
        else:
            kwargs.setdefault("initial", self.initial_for(activity))
        super().__init__(*args, **kwargs)
        self._limit_choices(activity)
        if self.is_bound:
            selected = self.data.get(self.add_prefix("customer"))
        else:
            selected = self.initial.get("customer")
        self.selected_customer = self._customer(selected)
        self.fields["customer"].widget.attrs.update(
            {
                "data-tom-select": "",
                "data-search-url": reverse("customers:search"),
                "hx-get": reverse("activities:contact_options"),
                "hx-trigger": "change",
                "hx-target": "#contact-options",
                "hx-swap": "outerHTML",
            }
        )
        # Only the chosen customer is rendered as an option; the rest come from the search.
        self.fields["customer"].widget.choices = [("", "")] + (
            [
                (
                    self.selected_customer.pk,
                    self.fields["customer"].label_from_instance(self.selected_customer),
                )
            ]
            if self.selected_customer
            else []
        )
        if self._all_day():
            for name in ("start", "end"):
                widget = self.fields[name].widget
                widget.input_type = "date"
                widget.attrs["type"] = "date"
                widget.format = DATE_FORMAT
        self._style()
        if activity is not None and not activity.is_editable:
            for field in self.fields.values():
                field.disabled = True

    # --- initial values -------------------------------------------------------------

    @staticmethod
    def initial_for_new(*, kind, customer, employee) -> dict:
        kind = kind if kind in ActivityKind.values else ActivityKind.MEETING
        zone_name = employee.time_zone if employee else settings.TIME_ZONE
        now = timezone.now().astimezone(zoneinfo.ZoneInfo(zone_name))
        start = now.replace(minute=0, second=0, microsecond=0, tzinfo=None) + timedelta(hours=1)
        return {
            "kind": kind,
            "customer": customer.pk if customer else None,
            "employees": [employee.pk] if employee else [],
            "leader": employee.pk if employee else None,
            "start": start,
            "end": start + timedelta(hours=1),
            "time_zone": zone_name,
            "priority": default_priority(),
            "in_schedule": kind == ActivityKind.MEETING,
            "send_invitations": kind == ActivityKind.MEETING,
            "follow_up_value": 1,
            "follow_up_unit": "weeks",
            "follow_up_kind": kind,
            "expected_cost_currency": Currency.base_code(),
            "actual_cost_currency": Currency.base_code(),
        }

    @staticmethod
    def initial_for(activity: Activity) -> dict:
        if activity.all_day:
            start = activity.local_start.date()
            end = activity.last_day
        else:
            start = activity.local_start.replace(tzinfo=None)
            end = activity.local_end.replace(tzinfo=None)
        return {
            "kind": activity.kind,
            "subject": activity.subject,
            "customer": activity.customer_id,
            "contact_persons": [p.pk for p in activity.contact_persons.all()],
            "employees": [e.pk for e in activity.employees.all()],
            "leader": activity.leader_id,
            "start": start,
            "end": end,
            "all_day": activity.all_day,
            "time_zone": activity.time_zone,
            "place": activity.place,
            "priority": activity.priority_id,
            "category": activity.category_id,
            "in_schedule": activity.in_schedule,
            "send_invitations": activity.kind == ActivityKind.MEETING,
            "follow_up_value": 1,
            "follow_up_unit": "weeks",
            "follow_up_kind": activity.kind,
            "expected_cost": activity.expected_cost,
            "expected_cost_currency": activity.expected_cost_currency_id or Currency.base_code(),
            "actual_cost": activity.actual_cost,
            "actual_cost_currency": activity.actual_cost_currency_id or Currency.base_code(),
            "notes": activity.notes,
            "version": activity.version,
        }

    def offer_version(self, version: int) -> None:
        """After a refused stale save: the user has seen the differences, so saving the
        same entries again (now on the current version) replaces the saved values."""
        self.data = self.data.copy()
        self.data[self.add_prefix("version")] = str(version)

    def _limit_choices(self, activity: Activity | None) -> None:
        """Active dictionary entries and employees, plus those the activity already names
        (rule 5: a deactivated entry stays on old activities but is not offered anew)."""

        def active_or(model, *pks):
            keep = Q(is_active=True)
            pks = [pk for pk in pks if pk is not None]
            if pks:
                keep |= Q(pk__in=pks)
            return model.objects.filter(keep)

        a = activity
        employee_pks = [e.pk for e in a.employees.all()] if a else []
        self.fields["employees"].queryset = active_or(Employee, *employee_pks)
        self.fields["leader"].queryset = active_or(Employee, a.leader_id if a else None)
        self.fields["priority"].queryset = active_or(ActivityPriority, a.priority_id if a else None)
        self.fields["category"].queryset = active_or(ActivityCategory, a.category_id if a else None)
        self.fields["expected_cost_currency"].queryset = active_or(
            Currency, a.expected_cost_currency_id if a else None
        )
        self.fields["actual_cost_currency"].queryset = active_or(
            Currency, a.actual_cost_currency_id if a else None
        )
        zones = list(COMMON_TIME_ZONES)
        for zone in (self.initial.get("time_zone"), settings.TIME_ZONE):
            if zone and zone not in zones:
                zones.insert(0, zone)
        self.fields["time_zone"].choices = [(z, z.replace("_", " ")) for z in zones]

    def _customer(self, value) -> Customer | None:
        if isinstance(value, Customer):
            return value
        try:
            return Customer.objects.filter(pk=int(value)).first() if value else None
        except (TypeError, ValueError):
            return None

    def _all_day(self) -> bool:
        if self.is_bound:
            return self.fields["all_day"].widget.value_from_datadict(
                self.data, self.files, self.add_prefix("all_day")
            )
        return bool(self.initial.get("all_day"))

    def _style(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple):
                continue
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)
        self.fields["place"].widget.attrs["rows"] = 2
        self.fields["notes"].widget.attrs["rows"] = 3
        self.fields["follow_up_value"].widget.attrs.update(min=1, max=1000)
        for name in ("expected_cost_currency", "actual_cost_currency"):
            self.fields[name].widget.attrs["class"] += " w-auto flex-grow-0"
        self.fields["employees"].widget.attrs["data-tom-select"] = ""

    # --- contact persons ---------------------------------------------------------------

    def contact_options(self) -> list[ContactPerson]:
        """The checkboxes to show: the chosen customer's active contact persons, plus any
        already on the activity (a person deactivated later stays visible and checked)."""
        if self.selected_customer is None:
            return []
        persons = list(contact_persons_of(customer_id=self.selected_customer.pk))
        if self.activity is not None:
            known = {p.pk for p in persons}
            persons += [
                p
                for p in self.activity.contact_persons.all()
                if p.pk not in known and p.customer_id == self.selected_customer.pk
            ]
        return persons

    def checked_contact_ids(self) -> set[str]:
        if self.is_bound:
            return {str(v) for v in self.data.getlist(self.add_prefix("contact_persons"))}
        return {str(v) for v in self.initial.get("contact_persons", [])}

    # --- to the services -----------------------------------------------------------------

    def clean(self):
        data = super().clean()
        zone_name = data.get("time_zone")
        if not zone_name:
            return data
        zone = zoneinfo.ZoneInfo(zone_name)
        for name in ("start", "end", "follow_up_at"):
            value = data.get(name)
            if value is None:
                continue
            if timezone.is_naive(value):
                # The wall-clock time in the chosen zone; the service refuses one that the
                # zone skips (the clocks moving forward) and years out of range.
                data[name] = value.replace(tzinfo=zone)
        return data

    def to_input(self) -> ActivityInput:
        d = self.cleaned_data
        return ActivityInput(
            kind=d["kind"],
            subject=d.get("subject") or "",
            customer=d.get("customer"),
            contact_persons=list(d.get("contact_persons") or []),
            employees=list(d.get("employees") or []),
            leader=d.get("leader"),
            start=d.get("start"),
            end=d.get("end"),
            time_zone=d["time_zone"],
            all_day=bool(d.get("all_day")),
            place=d.get("place") or "",
            notes=d.get("notes") or "",
            priority=d.get("priority"),
            category=d.get("category"),
            in_schedule=bool(d.get("in_schedule")),
            expected_cost=self._money("expected_cost"),
            actual_cost=self._money("actual_cost"),
        )

    def _money(self, name: str) -> Money | None:
        amount = self.cleaned_data.get(name)
        if amount is None:
            return None
        currency = self.cleaned_data.get(f"{name}_currency")
        return Money(amount, currency.code if currency else "")

    def to_follow_up(self) -> FollowUp | None:
        d = self.cleaned_data
        if not d.get("follow_up"):
            return None
        kind = d.get("follow_up_kind") or d.get("kind")
        if d.get("follow_up_at") is not None:
            return FollowUp(at=d["follow_up_at"], kind=kind)
        return FollowUp(value=d.get("follow_up_value"), unit=d.get("follow_up_unit"), kind=kind)

    def add_error(self, field, error):
        super().add_error(field, error)
        # Bootstrap shows a field's message only beside an input marked invalid.
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                css = widget.attrs.get("class", "")
                if "is-invalid" not in css.split():
                    widget.attrs["class"] = f"{css} is-invalid".strip()

    def add_service_errors(self, error: ValidationError) -> None:
        """Puts the service's per-field messages on the form's fields; keys that are not
        fields of this form (and messages without a field) become non-field errors."""
        if not hasattr(error, "error_dict"):
            for message in error.messages:
                self.add_error(None, message)
            return
        for field, messages in error.message_dict.items():
            target = field if field in self.fields else None
            for message in messages:
                self.add_error(target, message)


class EndForm(forms.Form):
    """ "End" on the detail page, with the actual cost when it is known by then."""

    actual_cost = AmountField(label=_("Actual costs"), required=False)
    actual_cost_currency = forms.ModelChoiceField(
        label=_("Currency"),
        queryset=Currency.objects.active(),
        required=False,
        initial=Currency.base_code,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actual_cost"].widget.attrs["class"] = "form-control form-control-sm"
        self.fields["actual_cost_currency"].widget.attrs["class"] = "form-select form-select-sm"

    def to_money(self) -> Money | None:
        amount = self.cleaned_data.get("actual_cost")
        if amount is None:
            return None
        currency = self.cleaned_data.get("actual_cost_currency")
        return Money(amount, currency.code if currency else "")


class FollowUpForm(forms.Form):
    """ "Schedule next contact" on the detail page: N hours/days/weeks after this one."""

    value = forms.IntegerField(label=_("Number"), initial=1)
    unit = forms.ChoiceField(label=_("Unit"), choices=FOLLOW_UP_UNIT_CHOICES, initial="weeks")
    kind = forms.ChoiceField(label=_("Kind of the next activity"), choices=ActivityKind.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["value"].widget.attrs.update(
            {"class": "form-control form-control-sm", "min": 1, "max": 1000}
        )
        self.fields["unit"].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["kind"].widget.attrs["class"] = "form-select form-select-sm"

    def to_follow_up(self) -> FollowUp:
        d = self.cleaned_data
        return FollowUp(value=d["value"], unit=d["unit"], kind=d["kind"])
