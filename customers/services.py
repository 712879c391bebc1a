"""Rules about customers that reach beyond one form: what may be deleted."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext_lazy as _

from customers.models import Customer

HAS_ACTIVITIES = _(
    "This customer has CRM activities, so it cannot be deleted: their history would be "
    "lost. Deactivate the customer instead (Edit, untick Active)."
)


@transaction.atomic
def customer_delete(*, customer: Customer) -> None:
    """Deletes a customer that has no activities; its contact persons go with it.

    A customer with activities is refused, not cascaded: the meetings held with it are the
    record the CRM exists for. The check comes first so the user gets a sentence rather
    than a list of protected rows; `Activity.customer` being PROTECT still guards the case
    where an activity is added between the check and the delete.
    """
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if customer.activities.exists():
        raise ValidationError(HAS_ACTIVITIES, code="customer_has_activities")
    try:
        customer.delete()
    except ProtectedError as exc:
        raise ValidationError(HAS_ACTIVITIES, code="customer_has_activities") from exc
