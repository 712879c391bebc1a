"""Rules about customers that reach beyond one form: what may be deleted, and saving
changes only on the version the user read (optimistic locking, spotkania.versions)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext_lazy as _

from customers.models import ContactPerson, Customer
from spotkania.versions import check_version

CUSTOMER_FIELDS = ("code", "name", "tax_id", "address", "email", "phone", "is_active")
CONTACT_PERSON_FIELDS = ("first_name", "last_name", "position", "email", "phone", "is_active")

HAS_ACTIVITIES = _(
    "This customer has CRM activities, so it cannot be deleted: their history would be "
    "lost. Deactivate the customer instead (Edit, untick Active)."
)


def _refuse_without(user, permission: str) -> None:
    """`user` None is the system itself (a command, a test); a person needs the model
    permission, which the employee and manager roles do not hold (employees.roles)."""
    if user is not None and not user.has_perm(permission):
        raise PermissionError(_("You may not delete customers or contact persons."))


@transaction.atomic
def customer_delete(*, customer: Customer, user=None) -> None:
    """Deletes a customer that has no activities; its contact persons go with it.

    A customer with activities is refused, not cascaded: the meetings held with it are the
    record the CRM exists for. The check comes first so the user gets a sentence rather
    than a list of protected rows; `Activity.customer` being PROTECT still guards the case
    where an activity is added between the check and the delete.
    """
    _refuse_without(user, "customers.delete_customer")
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if customer.activities.exists():
        raise ValidationError(HAS_ACTIVITIES, code="customer_has_activities")
    try:
        customer.delete()
    except ProtectedError as exc:
        raise ValidationError(HAS_ACTIVITIES, code="customer_has_activities") from exc


@transaction.atomic
def contact_person_delete(*, contact_person: ContactPerson, user=None) -> None:
    """Deletes a contact person who took part in no activity. One who did is refused, as
    a customer with activities is: the record of who was met stays whole."""
    _refuse_without(user, "customers.delete_contactperson")
    person = ContactPerson.objects.select_for_update().get(pk=contact_person.pk)
    if person.activities.exists():
        raise ValidationError(
            _(
                "This contact person took part in CRM activities, so they cannot be "
                "deleted. Deactivate the contact person instead."
            ),
            code="contact_person_has_activities",
        )
    person.delete()


def _update(model, *, pk: int, values: dict, names, expected_version: int | None):
    """Locks the row, refuses a stale version (StaleVersion, nothing written), saves the
    given fields and raises the version by one."""
    row = model.objects.select_for_update().get(pk=pk)
    values = {name: value for name, value in values.items() if name in names}
    check_version(row, expected=expected_version, values=values, names=names)
    for name, value in values.items():
        setattr(row, name, value)
    row.version += 1
    row.save()
    return row


@transaction.atomic
def customer_update(
    *, customer: Customer, values: dict, expected_version: int | None = None
) -> Customer:
    """Saves a customer's fields (already checked by its form) if nobody saved it since
    `expected_version` (None: no check)."""
    return _update(
        Customer,
        pk=customer.pk,
        values=values,
        names=CUSTOMER_FIELDS,
        expected_version=expected_version,
    )


@transaction.atomic
def contact_person_update(
    *, contact_person: ContactPerson, values: dict, expected_version: int | None = None
) -> ContactPerson:
    """Saves a contact person's fields (its customer never changes) on the version read."""
    return _update(
        ContactPerson,
        pk=contact_person.pk,
        values=values,
        names=CONTACT_PERSON_FIELDS,
        expected_version=expected_version,
    )
