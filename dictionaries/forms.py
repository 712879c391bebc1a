"""Forms of the dictionary pages: they parse input; the rules are in `dictionaries.services`."""

from decimal import Decimal, InvalidOperation

from babel.numbers import list_currencies
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from dictionaries.models import DictionaryEntry
from dictionaries.selectors import dictionary_entries
from spotkania import limits


class _KeptEntries(forms.models.ModelChoiceIterator):
    """The options of a dictionary's select from the kept entries (dictionaries
    .selectors.dictionary_entries), not a query per form shown."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for entry in dictionary_entries(self.queryset.model):
            yield self.choice(entry)

    def __len__(self):
        return len(dictionary_entries(self.queryset.model)) + (self.field.empty_label is not None)


class DictionaryChoiceField(limits.ModelChoiceField):
    """A choice of any priority or category, active or not (a filter): its options are
    the kept entries; a value chosen is still looked up in the database."""

    iterator = _KeptEntries


class DictionaryEntryForm(forms.Form):
    """The two names of an entry, for adding and renaming.

    Uniqueness is checked by the service, whose per-field `ValidationError` the view
    attaches to this form with `add_error(None, error)`, so it shows beside the field.
    """

    name_pl = forms.CharField(
        label=_("Name (Polish)"),
        max_length=limits.max_length(DictionaryEntry, "name_pl"),
        widget=forms.TextInput(attrs={"class": "form-control", "lang": "pl"}),
    )
    name_en = forms.CharField(
        label=_("Name (English)"),
        max_length=limits.max_length(DictionaryEntry, "name_en"),
        widget=forms.TextInput(attrs={"class": "form-control", "lang": "en"}),
    )


class RateField(forms.DecimalField):
    """A rate typed with a decimal comma or point ("4,2705" or "4.2705"); its range and
    places are checked by `exchange_rate_set`, so the message is the service's."""

    default_error_messages = {"invalid": _("Enter a rate, e.g. 4,2705.")}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = "".join(str(value).split()).replace(",", ".")
        try:
            rate = Decimal(text)
        except InvalidOperation:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if not rate.is_finite():
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return rate

    def validate(self, value):
        forms.Field.validate(self, value)

    def widget_attrs(self, widget):
        return {"inputmode": "decimal"}


class ExchangeRateForm(forms.Form):
    """A rate of one currency on one day, in the base currency per one unit."""

    date = limits.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )
    rate = RateField(
        label=_("Rate"), widget=forms.TextInput(attrs={"class": "form-control", "size": 12})
    )


class RateFilterForm(forms.Form):
    """The date range of the rate list (inclusive)."""

    date_from = limits.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(
            attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d"
        ),
    )
    date_to = limits.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(
            attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d"
        ),
    )


class CurrencyAddForm(forms.Form):
    """An ISO 4217 code that Babel (CLDR) knows; name and places come from there too."""

    code = forms.CharField(
        label=_("ISO 4217 code"),
        min_length=3,
        max_length=3,
        widget=forms.TextInput(
            attrs={"class": "form-control", "size": 5, "autocapitalize": "characters"}
        ),
    )

    def clean_code(self):
        code = self.cleaned_data["code"].strip().upper()
        if code not in list_currencies():
            raise ValidationError(
                _("“%(code)s” is not an ISO 4217 currency code."), params={"code": code}
            )
        return code
