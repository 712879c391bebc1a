"""Customers and their contact persons; validated by the forms the pages use."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import model_to_dict
from django.http import HttpResponse
from ninja import Query, Router, Status

from api.errors import ApiValidationError, Conflict, get_or_404
from api.pagination import PageParams, page_of
from api.schemas import (
    MAX_ID,
    ContactIn,
    ContactOut,
    ContactPage,
    ContactPatch,
    CustomerIn,
    CustomerOut,
    CustomerPage,
    CustomerPatch,
    ErrorOut,
    Text,
)
from api.versions import VERSION_DESCRIPTION, expected_version, set_etag
from customers import services as customer_services
from customers.forms import ContactPersonForm, CustomerModelForm
from customers.models import ContactPerson, Customer
from customers.selectors import contact_persons_of, customer_search
from customers.services import customer_delete

router = Router(tags=["customers"])

CUSTOMER_FIELDS = list(CustomerIn.model_fields)
CONTACT_FIELDS = list(ContactIn.model_fields)
READ_ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _form_errors(form) -> ApiValidationError:
    return ApiValidationError(
        {field: [str(m) for m in messages] for field, messages in form.errors.items()}
    )


def _sent(payload) -> dict:
    """The fields a PATCH sent; null for a flag leaves it as it is."""
    data = payload.dict(exclude_unset=True)
    data.pop("version", None)
    return {k: v for k, v in data.items() if not (v is None and k == "is_active")}


def _saved(form):
    if not form.is_valid():
        raise _form_errors(form)
    # A savepoint: if a simultaneous request took the code meanwhile, the IntegrityError
    # (answered 409) leaves the connection usable.
    with transaction.atomic():
        return form.save()


def _patched(request, payload, response, *, instance, form_class, fields, update):
    """PATCH of a customer or contact person: the sent fields over the saved ones, checked
    by the same form as the pages, saved by the service on the version the client read
    (If-Match or `version`), all under the row's lock; the new ETag goes on `response`."""
    version = expected_version(request, payload.version)
    with transaction.atomic():
        obj = instance()
        data = model_to_dict(obj, fields=fields) | _sent(payload)
        form = form_class(data=data, instance=obj)
        if not form.is_valid():
            raise _form_errors(form)
        obj = update(obj, form.cleaned_data, version)
    set_etag(response, obj.version)
    return obj


def customer_out(customer: Customer) -> dict:
    return {f: getattr(customer, f) for f in ("id", *CUSTOMER_FIELDS, "version")}


def contact_out(person: ContactPerson) -> dict:
    data = {f: getattr(person, f) for f in ("id", *CONTACT_FIELDS, "version")}
    data["customer"] = person.customer_id
    return data


class CustomerFilters(PageParams):
    q: Text(200) = ""
    is_active: bool | None = None


@router.get("/customers", response={200: CustomerPage, **READ_ERRORS}, summary="List customers")
def customer_list(request, filters: Query[CustomerFilters]):
    """Customers by name; `q` searches code, name, NIP, e-mail and phone."""
    customers = customer_search(q=filters.q)
    if filters.is_active is not None:
        customers = customers.filter(is_active=filters.is_active)
    items, count = page_of(customers, filters)
    return {"items": [customer_out(c) for c in items], "count": count}


@router.post("/customers", response={201: CustomerOut, **WRITE_ERRORS}, summary="Add a customer")
def customer_create(request, payload: CustomerIn):
    customer = _saved(CustomerModelForm(data=payload.dict()))
    return Status(201, customer_out(customer))


@router.get(
    "/customers/{customer_id}", response={200: CustomerOut, **READ_ERRORS}, summary="A customer"
)
def customer_detail(request, customer_id: int, response: HttpResponse):
    customer = _customer(customer_id)
    set_etag(response, customer.version)
    return customer_out(customer)


@router.patch(
    "/customers/{customer_id}",
    response={200: CustomerOut, **WRITE_ERRORS},
    summary="Change a customer",
    description="Only the fields sent change." + VERSION_DESCRIPTION,
)
def customer_update(request, customer_id: int, payload: CustomerPatch, response: HttpResponse):
    customer = _patched(
        request,
        payload,
        response,
        instance=lambda: _customer(customer_id, lock=True),
        form_class=CustomerModelForm,
        fields=CUSTOMER_FIELDS,
        update=lambda obj, values, version: customer_services.customer_update(
            customer=obj, values=values, expected_version=version
        ),
    )
    return customer_out(customer)


@router.delete(
    "/customers/{customer_id}",
    response={204: None, **WRITE_ERRORS, 403: ErrorOut},
    summary="Delete a customer without activities",
    description=(
        "Only users allowed to delete customers (administrators) may: 403 otherwise. A "
        "customer with activities is refused with 409: deactivate it instead."
    ),
)
def customer_remove(request, customer_id: int):
    customer = _customer(customer_id)
    try:
        customer_delete(customer=customer, user=request.user)
    except ValidationError as exc:
        raise Conflict(" ".join(exc.messages)) from exc
    return Status(204, None)


@router.get(
    "/customers/{customer_id}/contacts",
    response={200: ContactPage, **READ_ERRORS},
    summary="List the contact persons of a customer",
)
def contact_list(request, customer_id: int, filters: Query[PageParams]):
    customer = _customer(customer_id)
    items, count = page_of(contact_persons_of(customer_id=customer.pk, active_only=False), filters)
    return {"items": [contact_out(p) for p in items], "count": count}


@router.post(
    "/customers/{customer_id}/contacts",
    response={201: ContactOut, **WRITE_ERRORS},
    summary="Add a contact person to a customer",
)
def contact_create(request, customer_id: int, payload: ContactIn):
    customer = _customer(customer_id)
    form = ContactPersonForm(data=payload.dict())
    form.instance.customer = customer
    return Status(201, contact_out(_saved(form)))


@router.get(
    "/contacts/{contact_id}", response={200: ContactOut, **READ_ERRORS}, summary="A contact person"
)
def contact_detail(request, contact_id: int, response: HttpResponse):
    person = _contact(contact_id)
    set_etag(response, person.version)
    return contact_out(person)


@router.patch(
    "/contacts/{contact_id}",
    response={200: ContactOut, **WRITE_ERRORS},
    summary="Change a contact person",
    description="Only the fields sent change." + VERSION_DESCRIPTION,
)
def contact_update(request, contact_id: int, payload: ContactPatch, response: HttpResponse):
    person = _patched(
        request,
        payload,
        response,
        instance=lambda: _contact(contact_id, lock=True),
        form_class=ContactPersonForm,
        fields=CONTACT_FIELDS,
        update=lambda obj, values, version: customer_services.contact_person_update(
            contact_person=obj, values=values, expected_version=version
        ),
    )
    return contact_out(person)


@router.delete(
    "/contacts/{contact_id}",
    response={204: None, **WRITE_ERRORS, 403: ErrorOut},
    summary="Delete a contact person who took part in no activity",
    description=(
        "Only users allowed to delete contact persons (administrators) may: 403 otherwise. "
        "One who took part in activities is refused with 409: deactivate instead."
    ),
)
def contact_remove(request, contact_id: int):
    try:
        customer_services.contact_person_delete(
            contact_person=_contact(contact_id), user=request.user
        )
    except ValidationError as exc:
        raise Conflict(" ".join(exc.messages)) from exc
    return Status(204, None)


def _customer(pk: int, lock: bool = False) -> Customer:
    qs = Customer.objects.select_for_update() if lock else Customer.objects.all()
    return get_or_404(qs, pk if 0 < pk <= MAX_ID else 0)


def _contact(pk: int, lock: bool = False) -> ContactPerson:
    qs = ContactPerson.objects.select_for_update() if lock else ContactPerson.objects.all()
    return get_or_404(qs, pk if 0 < pk <= MAX_ID else 0)
