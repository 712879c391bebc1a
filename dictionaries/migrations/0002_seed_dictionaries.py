"""Seeds the CRM dictionaries and the currencies (a data migration, reversible).

Priorities Low/Normal/High (Normal the default) and the four predefined activity
categories of the article. Currency names and decimal places come from Babel's copy of
the CLDR/ISO 4217 data, not from a hand-typed table.
"""

from babel.numbers import get_currency_name, get_currency_precision
from django.db import migrations

PRIORITIES = [
    ("Niski", "Low", False),
    ("Normalny", "Normal", True),
    ("Wysoki", "High", False),
]

CATEGORIES = [
    ("Negocjacje handlowe", "Trade negotiations"),
    ("Pozyskanie klienta", "Customer acquisition"),
    ("Realizacja zamówień", "Order fulfilment"),
    ("Utrzymanie klienta", "Customer retention"),
]

CURRENCIES = ["PLN", "EUR", "USD", "GBP", "CHF", "CZK", "SEK", "NOK", "DKK", "HUF", "JPY"]
ACTIVE = {"PLN", "EUR", "USD", "GBP", "CHF"}
BASE = "PLN"


def seed(apps, schema_editor):
    priority = apps.get_model("dictionaries", "ActivityPriority")
    category = apps.get_model("dictionaries", "ActivityCategory")
    currency = apps.get_model("dictionaries", "Currency")
    for position, (pl, en, default) in enumerate(PRIORITIES, start=1):
        priority.objects.create(name_pl=pl, name_en=en, position=position, is_default=default)
    for position, (pl, en) in enumerate(CATEGORIES, start=1):
        category.objects.create(name_pl=pl, name_en=en, position=position)
    for code in CURRENCIES:
        currency.objects.create(
            code=code,
            name=get_currency_name(code, locale="en"),
            minor_unit=get_currency_precision(code),
            is_base=code == BASE,
            is_active=code in ACTIVE,
        )


def unseed(apps, schema_editor):
    for model in ("ActivityPriority", "ActivityCategory", "Currency"):
        apps.get_model("dictionaries", model).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("dictionaries", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
