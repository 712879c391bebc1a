"""A value too long for the API is refused with the bound and its real length (issue 16,
item 11): ninja drops the value from pydantic's errors, so a length read from the error
said "(it has 0)"."""

import pytest
from django.utils import translation
from django.utils.translation import ngettext
from ninja import Schema
from pydantic import ValidationError as PydanticError

import api.api  # noqa: F401  (every endpoint's schemas, its filters' too)
from api.errors import pydantic_errors

pytestmark = pytest.mark.django_db


def too_long_message(limit: int, length: int, language: str = "en") -> str:
    with translation.override(language):
        return ngettext(
            "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
            "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
            limit,
        ) % {"limit_value": limit, "show_value": length}


def _api_schemas() -> list[type[Schema]]:
    seen, todo = set(), [Schema]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
    return sorted((s for s in seen if s.__module__.startswith("api.")), key=str)


def _bounded_strings():
    for schema in _api_schemas():
        properties = schema.model_json_schema(mode="validation").get("properties", {})
        for name, info in schema.model_fields.items():
            key = info.alias or name
            prop = properties.get(key, {})
            for option in prop.get("anyOf", [prop]):
                if option.get("type") == "string" and "maxLength" in option:
                    yield schema, key, option["maxLength"]


def test_every_bounded_string_of_the_api_reports_its_real_length():
    """Each string with a maxLength in the document, sent 7 characters too long: a bound
    that does not go through api.schemas.Text would say "(it has 0)"."""
    bounded = list(_bounded_strings())
    for schema, key, limit in bounded:
        with pytest.raises(PydanticError) as refused:
            schema.model_validate({key: "x" * (limit + 7)})
        errors = [e for e in refused.value.errors() if e["loc"] == (key,)]
        for error in errors:
            del error["input"]  # as ninja does
        assert pydantic_errors(errors) == {key: [too_long_message(limit, limit + 7)]}, (
            schema,
            key,
        )
    assert len(bounded) > 40


@pytest.mark.parametrize("language", ["en", "pl"])
def test_a_too_long_subject_says_its_length(api, customer, contact, employee, language):
    body = {
        "subject": "x" * 250,
        "customer": customer.pk,
        "contact_persons": [contact.pk],
        "employees": [employee.pk],
        "start": "2026-03-27T10:00:00+01:00",
    }
    response = api.as_language(language).post("activities", body)
    assert response.status_code == 422
    assert response.json()["errors"]["subject"] == [too_long_message(200, 250, language)]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Ensure this list has at most 200 items (it has 201)."),
        ("pl", "Upewnij się, że lista ma co najwyżej 200 elementów (obecnie ma 201)."),
    ],
)
def test_a_too_long_list_names_its_items_and_their_number(
    api, customer, contact, employee, language, expected
):
    body = {
        "subject": "Oferta",
        "customer": customer.pk,
        "contact_persons": [contact.pk],
        "employees": [employee.pk] * 201,
        "start": "2026-03-27T10:00:00+01:00",
    }
    response = api.as_language(language).post("activities", body)
    assert response.status_code == 422
    assert response.json()["errors"]["employees"] == [expected]
