"""Forms of the customer pages: parsing input and showing errors on their own field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from customers.models import ContactPerson, Customer
from customers.validators import normalize_nip

# What a typed NIP may take, prefix and separators included ("PL 526-000-12-46").
TAX_ID_INPUT_LENGTH = 20


class BootstrapFormMixin:
    """Bootstrap 5 classes on every widget, plus `is-invalid` on a field with errors.

    Doing it here rather than in templates keeps one field template for every form, and
    Bootstrap shows an `invalid-feedback` only beside an input marked `is-invalid`.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class VersionedFormMixin:
    """A hidden `version`: the version of the record the user read, sent back with the save
    so that `customers.services` can refuse it if someone saved the record meanwhile.

    Optional, so a client that does not send it saves as before (no check)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"] = forms.IntegerField(
            widget=forms.HiddenInput, required=False, min_value=1
        )
        if self.instance.pk is not None:
            self.fields["version"].initial = self.instance.version

    def offer_version(self, version: int) -> None:
        """After a refused stale save: the user has seen the differences, so saving the
        same entries again (now on the current version) replaces the saved values."""
        self.data = self.data.copy()
        self.data[self.add_prefix("version")] = str(version)


class CustomerModelForm(forms.ModelForm):
    """A customer with its NIP normalised to ten digits.

    The form field is wider than the column so that "PL 526-000-12-46" is accepted as
    typed and stored as "5260001246"; the admin uses this form too, so the rule is one.
    """

    tax_id = forms.CharField(
        label=_("tax ID (NIP)"),
        max_length=TAX_ID_INPUT_LENGTH,
        required=False,
        help_text=_("Ten digits; dashes, spaces and a PL prefix are allowed."),
    )

    class Meta:
        model = Customer
        fields = ["code", "name", "tax_id", "address", "email", "phone", "is_active"]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}

    def clean_tax_id(self) -> str:
        value = self.cleaned_data["tax_id"].strip()
        return normalize_nip(value) if value else ""


class CustomerForm(VersionedFormMixin, BootstrapFormMixin, CustomerModelForm):
    """The customer form of the web pages. Deactivating is unticking `is_active` here:
    a customer with activities is kept, not deleted."""


class ContactPersonForm(VersionedFormMixin, BootstrapFormMixin, forms.ModelForm):
    """A contact person; the customer comes from the URL, never from the posted data,
    so a person cannot be moved to another customer by editing the form."""

    class Meta:
        model = ContactPerson
        fields = ["first_name", "last_name", "position", "email", "phone", "is_active"]


class CustomerFilterForm(forms.Form):
    """The search box and the active/inactive/all filter of the customer list.

    Always bound to the query string; a missing or unknown `active` means "active only",
    the list a salesperson wants by default.
    """

    ACTIVE, INACTIVE, ALL = "active", "inactive", "all"

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "class": "form-control form-control-sm",
                "placeholder": _("Code, name, NIP, e-mail or phone"),
                "autocomplete": "off",
            }
        ),
    )
    active = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[(ACTIVE, _("Active")), (INACTIVE, _("Inactive")), (ALL, _("All"))],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    def values(self) -> tuple[str, str]:
        """The search term and the activity filter, with invalid input ignored."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return data.get("q") or "", data.get("active") or self.ACTIVE
