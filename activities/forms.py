"""Forms of the activity pages: parsing and per-field display; the rules are in services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from activities.models import ActivityKind, ActivityStatus
from activities.selectors import ActivityFilters
from dictionaries.models import ActivityCategory, ActivityPriority
from employees.models import Employee


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
    employee = forms.ModelChoiceField(
        label=_("Employee"), queryset=Employee.objects.all(), required=False
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=ActivityCategory.objects.all(), required=False
    )
    priority = forms.ModelChoiceField(
        label=_("Priority"), queryset=ActivityPriority.objects.all(), required=False
    )
    start_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    start_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
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
