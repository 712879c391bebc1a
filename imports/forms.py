"""The upload form of the import page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from imports.reading import MAX_FILE_BYTES, file_too_large_message
from imports.services import KINDS


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What to import"), choices=list(KINDS.items()))
    file = forms.FileField(label=_("File (CSV or XLSX)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].widget.attrs["class"] = "form-select"
        self.fields["file"].widget.attrs.update({"class": "form-control", "accept": ".csv,.xlsx"})

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(file_too_large_message())
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        return upload
