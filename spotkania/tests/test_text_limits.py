"""The length of every text a person types: one bound, on the model field, that the pages,
the API (POST and PATCH) and the import all hold, each refusing one character more with
Django's message naming the bound and the real length, in English and Polish.

The cases are read from the models: a new text field of a model below is tried on every
way in at once, and a model with texts and no ways in fails `test_every_typed_text_is_
covered` until it is given them (or its texts a reason in NOT_TYPED).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone, translation

from activities.models import Activity
from activities.services import ActivityInput, activity_create
from activities.tests.factories import ActivityFactory
from api.models import ApiToken
from api.tests.test_length_messages import too_long_message
from customers.forms import TAX_ID_INPUT_LENGTH
from customers.models import ContactPerson, Customer
from dictionaries.models import ActivityCategory, ActivityPriority, Currency, ExchangeRate
from employees.models import Employee, Team
from employees.tests.factories import EmployeeFactory
from imports.services import import_run
from spotkania import limits

pytestmark = pytest.mark.django_db

DOMAIN_APPS = ("customers", "employees", "dictionaries", "activities")

# Texts no person types freely, and why their bound needs no test of its own.
NOT_TYPED = {
    (Employee, "time_zone"): "chosen from the IANA list, and checked as a zone",
    (Activity, "time_zone"): "chosen from the IANA list, and checked as a zone",
    (Currency, "code"): "an ISO 4217 code from Babel's list",
    (Currency, "name"): "taken from Babel (CLDR) with the code",
    (ExchangeRate, "source"): "written by the NBP rates import",
    (ActivityCategory, "name_pl"): "the same form, service and schema as the priorities'",
    (ActivityCategory, "name_en"): "the same form, service and schema as the priorities'",
}


def typed_texts() -> set[tuple[type[models.Model], str]]:
    """Every bounded text field of the domain's models that a form or request fills."""
    found = set()
    for model in apps.get_models():
        if model._meta.app_label not in DOMAIN_APPS or model.__name__.startswith("Historical"):
            continue
        for field in model._meta.get_fields():
            if (
                isinstance(field, models.CharField | models.TextField)
                and field.editable
                and not field.choices
                and field.max_length
            ):
                found.add((model, field.name))
    return found


# --- how each model's texts are entered --------------------------------------------


@dataclass
class Ways:
    page: str | None  # the name of the page driver, or None: no page of its own
    api: tuple[str, str] | None  # (collection path, item path) of the API
    import_kind: str | None


WAYS = {
    Customer: Ways("customer", ("customers", "customers/{pk}"), "customers"),
    ContactPerson: Ways(
        "contact_person", ("customers/{customer}/contacts", "contacts/{pk}"), "contact_persons"
    ),
    Activity: Ways("activity", ("activities", "activities/{pk}"), "activities"),
    ActivityPriority: Ways(
        "priority", ("dictionaries/priorities", "dictionaries/priorities/{pk}"), None
    ),
    Employee: Ways("admin", ("employees", "employees/{pk}"), None),  # edited in the admin
    Team: Ways("admin", None, None),  # the admin only
}

CASES = sorted(
    ((model, name) for model, name in typed_texts() - set(NOT_TYPED)),
    key=lambda case: (case[0].__name__, case[1]),
)


def case_id(case) -> str:
    return f"{case[0].__name__}.{case[1]}"


def limit_of(model, name: str) -> int:
    # A NIP may be typed with its prefix and separators; ten digits are stored.
    return (
        TAX_ID_INPUT_LENGTH
        if (model, name) == (Customer, "tax_id")
        else limits.max_length(model, name)
    )


def text_of(model, name: str, length: int) -> str:
    """A value of `length` characters that is valid but for its length."""
    field = model._meta.get_field(name)
    if isinstance(field, models.EmailField):
        domain_length = length - 65  # after 64 characters of the local part and "@"
        labels = []
        while domain_length > 66:
            labels.append("d" * 63)
            domain_length -= 64
        labels.append("e" * (domain_length - 3) + ".pl")
        return "a" * 64 + "@" + ".".join(labels)
    if (model, name) == (Customer, "tax_id"):
        return "PL526" + "-" * (length - 12) + "0001246"  # PL 526-000-12-46, stretched
    return "x" * length


def test_the_values_made_for_the_tests_are_as_long_as_asked():
    for model, name in CASES:
        for length in (limit_of(model, name), limit_of(model, name) + 1):
            assert len(text_of(model, name, length)) == length, (model, name)
    assert text_of(Customer, "tax_id", 20).replace("-", "") == "PL5260001246"


def test_the_expected_message_is_translated():
    assert too_long_message(200, 201, "en") == (
        "Ensure this value has at most 200 characters (it has 201)."
    )
    assert too_long_message(200, 201, "pl") == (
        "Upewnij się, że ta wartość ma co najwyżej 200 znaków (obecnie ma 201)."
    )


def test_every_typed_text_is_covered():
    assert typed_texts() >= set(NOT_TYPED)
    assert {model for model, _ in CASES} <= set(WAYS), "a model whose texts have no ways in"


# --- the people and records the ways need ------------------------------------------


@dataclass
class World:
    client: object
    admin: object
    employee: Employee
    customer: Customer
    contact: ContactPerson

    def browser(self, language: str, *, admin: bool = False):
        self.client.force_login(self.admin if admin else self.employee.user)
        self.client.cookies["django_language"] = language
        return self.client

    def api_headers(self, language: str, *, admin: bool = False) -> dict:
        user = self.admin if admin else self.employee.user
        return {
            "Authorization": f"Bearer {ApiToken.issue(user=user, name='limits')[1]}",
            "Accept-Language": language,
        }


@pytest.fixture
def world(client, employee, admin_user, customer, contact) -> World:
    return World(client, admin_user, employee, customer, contact)


def _default_priority() -> int:
    return ActivityPriority.objects.get(is_default=True).pk


def page_post(world: World, model, name: str, value: str, language: str):
    """Posts the page's form with `value` in `name`; returns (field errors, saved?)."""
    kind = WAYS[model].page
    if kind == "customer":
        client = world.browser(language)
        data = {"code": "C-1", "name": "Alfa", "is_active": "on", name: value}
        response = client.post(reverse("customers:create"), data)
    elif kind == "contact_person":
        client = world.browser(language)
        data = {"first_name": "Ewa", "last_name": "Lis", "is_active": "on", name: value}
        url = reverse("customers:contact_create", args=[world.customer.pk])
        response = client.post(url, data)
    elif kind == "activity":
        client = world.browser(language)
        data = {
            "kind": "meeting",
            "subject": "Oferta",
            "customer": world.customer.pk,
            "contact_persons": [world.contact.pk],
            "employees": [world.employee.pk],
            "leader": world.employee.pk,
            "start": "2026-03-27T10:00",
            "end": "2026-03-27T11:00",
            "time_zone": "Europe/Warsaw",
            "priority": _default_priority(),
            "follow_up_unit": "weeks",
            "follow_up_kind": "meeting",
            "expected_cost_currency": "PLN",
            "actual_cost_currency": "PLN",
            name: value,
        }
        response = client.post(reverse("activities:create"), data)
    elif kind == "priority":
        client = world.browser(language, admin=True)
        data = {"name_pl": "Pilny", "name_en": "Urgent", name: value}
        response = client.post(reverse("dictionaries:add", args=["priorities"]), data)
    elif kind == "admin":
        client = world.browser(language, admin=True)
        opts = model._meta
        if model is Employee:
            data = {
                "first_name": "Ewa",
                "last_name": "Lis",
                "time_zone": "Europe/Warsaw",
                "is_active": "on",
            }
        else:
            data = {"name": "Sprzedaż"}
        data[name] = value
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
        response = client.post(url, data)
    else:
        raise AssertionError(f"no page for {model.__name__}")
    if response.status_code == 302:
        return [], True
    assert response.status_code == 200, response.status_code
    form = response.context["form"] if kind != "admin" else response.context["adminform"].form
    return [str(m) for m in form.errors.get(name, [])], False


def _api_post_body(world: World, model, name: str, value: str) -> dict:
    if model is Customer:
        body = {"code": "C-1", "name": "Alfa"}
    elif model is ContactPerson:
        body = {"first_name": "Ewa", "last_name": "Lis"}
    elif model is Activity:
        body = {
            "subject": "Oferta",
            "customer": world.customer.pk,
            "contact_persons": [world.contact.pk],
            "employees": [world.employee.pk],
            "start": "2026-03-27T10:00:00+01:00",
        }
    elif model is ActivityPriority:
        body = {"name_pl": "Pilny", "name_en": "Urgent"}
    elif model is Employee:
        body = {"first_name": "Ewa", "last_name": "Lis"}
    else:
        raise AssertionError(model)
    return {**body, name: value}


def _existing(world: World, model):
    if model is Customer:
        return world.customer
    if model is ContactPerson:
        return world.contact
    if model is Activity:
        activity = ActivityFactory(customer=world.customer, leader=world.employee)
        activity.contact_persons.set([world.contact])
        return activity
    if model is ActivityPriority:
        return ActivityPriority.objects.get(is_default=True)
    if model is Employee:
        return EmployeeFactory()
    raise AssertionError(model)


def api_send(world: World, model, name: str, value: str, language: str, method: str):
    """POSTs a new record or PATCHes an existing one; returns (field errors, saved?)."""
    collection, item = WAYS[model].api
    admin = model in (ActivityPriority, Employee)
    if method == "post":
        path = collection.format(customer=world.customer.pk)
        body = _api_post_body(world, model, name, value)
        expected = 201
    else:
        path = item.format(pk=_existing(world, model).pk)
        body = {name: value}
        expected = 200
    call = getattr(world.client, method)
    response = call(
        f"/api/v1/{path}",
        data=json.dumps(body),
        content_type="application/json",
        headers=world.api_headers(language, admin=admin),
    )
    if response.status_code == expected:
        return [], True
    assert response.status_code == 422, (response.status_code, response.content[:300])
    return response.json()["errors"].get(name, []), False


def _csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def import_file(world: World, model, name: str, value: str, language: str):
    """A dry run of a one-row file; returns (the column's errors, valid?)."""
    kind = WAYS[model].import_kind
    if kind == "customers":
        row = {"code": "C-1", "name": "Alfa"}
    elif kind == "contact_persons":
        row = {"customer_code": world.customer.code, "first_name": "Ewa", "last_name": "Lis"}
    else:
        row = {
            "subject": "Oferta",
            "customer_code": world.customer.code,
            "contact_persons": world.contact.full_name,
            "employees": world.employee.full_name,
            "start": "2026-03-27 10:00",
        }
    row[name] = value
    with translation.override(language):
        report = import_run(kind=kind, content=_csv([row]), filename="rows.csv")
    if report.ok:
        return [], True
    (bad,) = report.bad_rows
    return [str(m) for m in bad.errors.get(name, [])], False


def _send(way: str, world: World, model, name: str, value: str, language: str):
    if way == "page":
        return page_post(world, model, name, value, language)
    if way in ("api_post", "api_patch"):
        return api_send(world, model, name, value, language, way.removeprefix("api_"))
    return import_file(world, model, name, value, language)


WAY_CASES = [
    pytest.param(way, case, id=f"{way}-{case_id(case)}")
    for case in CASES
    for way, present in (
        ("page", WAYS[case[0]].page),
        ("api_post", WAYS[case[0]].api),
        ("api_patch", WAYS[case[0]].api),
        ("import", WAYS[case[0]].import_kind),
    )
    if present
]


@pytest.mark.parametrize("language", ["en", "pl"])
@pytest.mark.parametrize(("way", "case"), WAY_CASES)
def test_one_character_too_many_is_refused_naming_the_limit_and_the_length(
    world, way, case, language
):
    model, name = case
    limit = limit_of(model, name)

    errors, saved = _send(way, world, model, name, text_of(model, name, limit + 1), language)

    assert not saved
    assert too_long_message(limit, limit + 1, language) in errors


@pytest.mark.parametrize(("way", "case"), WAY_CASES)
def test_exactly_the_limit_is_accepted(world, way, case):
    model, name = case
    value = text_of(model, name, limit_of(model, name))

    errors, saved = _send(way, world, model, name, value, "en")

    assert saved, errors


# --- one declaration -------------------------------------------------------------------


def test_the_openapi_document_states_each_fields_own_limit():
    from api.api import api

    schemas = api.get_openapi_schema()["components"]["schemas"]

    def max_length_of(schema: str, name: str) -> int:
        prop = schemas[schema]["properties"][name]
        options = prop.get("anyOf", [prop])
        return next(o["maxLength"] for o in options if "maxLength" in o)

    for model, name in CASES:
        ways = WAYS[model].api
        if ways is None:
            continue
        prefix = {ActivityPriority: "DictionaryEntry", ContactPerson: "Contact"}.get(
            model, model.__name__
        )
        for schema in (f"{prefix}In", f"{prefix}Patch"):
            assert max_length_of(schema, name) == limit_of(model, name), (schema, name)


def test_a_long_text_is_refused_by_the_services_too(world):
    """The pages and the API check first; the rule itself is the model's (clean_fields in
    activities.services): an import or a command cannot pass by them."""
    limit = limits.max_length(Activity, "notes")
    data = ActivityInput(
        kind="meeting",
        subject="Oferta",
        customer=world.customer,
        contact_persons=[world.contact],
        employees=[world.employee],
        start=timezone.now(),
        notes="x" * (limit + 1),
    )
    with pytest.raises(ValidationError) as refused:
        activity_create(data=data)
    assert refused.value.message_dict["notes"] == [too_long_message(limit, limit + 1, "en")]
