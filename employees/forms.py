"""Forms of the profile page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from api.models import ApiToken
from employees.models import Employee, time_zone_names
from spotkania import limits


class PreferencesForm(forms.ModelForm):
    """What an employee sets for themself: the time zone their pages are shown in."""

    time_zone = forms.ChoiceField(label=_("Time zone"), choices=())

    class Meta:
        model = Employee
        fields = ["time_zone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [(z, z) for z in sorted(time_zone_names())]
        self.fields["time_zone"].widget.attrs.update(
            {"class": "form-select", "data-tom-select": ""}
        )


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("What the token is for"),
        max_length=limits.max_length(ApiToken, "name"),
        required=False,
        widget=forms.TextInput(
            attrs={"class": "form-control", "placeholder": _("e.g. web shop integration")}
        ),
    )
