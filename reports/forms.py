"""The report's own choice (how to group); the filters are the activity list's
`ActivityFilterForm`, so the report and the list it links to read the same parameters."""

from django import forms
from django.utils.translation import gettext_lazy as _

from reports.selectors import GROUP_BY

GROUP_BY_CHOICES = [
    ("category", _("Category")),
    ("employee", _("Employee (leader)")),
    ("customer", _("Customer")),
    ("month", _("Month")),
]
assert [value for value, _label in GROUP_BY_CHOICES] == list(GROUP_BY)


class GroupByForm(forms.Form):
    group_by = forms.ChoiceField(
        label=_("Group by"),
        choices=GROUP_BY_CHOICES,
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm", "id": "group_by"}),
    )

    def value(self) -> str:
        """The chosen grouping; category when none or an unknown one is asked for."""
        if self.is_valid() and self.cleaned_data.get("group_by"):
            return self.cleaned_data["group_by"]
        return "category"
