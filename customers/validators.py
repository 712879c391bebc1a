"""Validation of Polish identifiers, delegated to python-stdnum."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.pl import nip


def normalize_nip(value: str) -> str:
    """Returns the ten digits of a valid NIP (dashes, spaces and a PL prefix allowed)."""
    try:
        return nip.validate(value)
    except StdnumError as exc:
        raise ValidationError(
            _("Enter a valid Polish tax identification number (NIP), e.g. 526-000-12-46."),
            code="invalid_nip",
        ) from exc


def validate_nip(value: str) -> None:
    normalize_nip(value)
