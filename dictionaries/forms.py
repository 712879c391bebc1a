"""Forms of the dictionary pages: they parse input; the rules are in `dictionaries.services`."""

from django import forms
from django.utils.translation import gettext_lazy as _

from dictionaries.services import NAME_MAX_LENGTH


class DictionaryEntryForm(forms.Form):
    """The two names of an entry, for adding and renaming.

    Uniqueness is checked by the service, whose per-field `ValidationError` the view
    attaches to this form with `add_error(None, error)`, so it shows beside the field.
    """

    name_pl = forms.CharField(
        label=_("Name (Polish)"),
        max_length=NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"class": "form-control", "lang": "pl"}),
    )
    name_en = forms.CharField(
        label=_("Name (English)"),
        max_length=NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"class": "form-control", "lang": "en"}),
    )
