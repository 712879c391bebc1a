"""Participation copies its activity's customer (see the model): added empty, filled from
the activities (and the historical links from their historical activities), made
required and indexed in 0008 (PostgreSQL cannot alter a table in the transaction that
just updated its rows)."""

import django.db.models.deletion
from django.db import migrations, models


def fill_participation_customer(apps, schema_editor):
    schema_editor.execute(
        "UPDATE activities_participation SET customer_id = "
        "(SELECT a.customer_id FROM activities_activity a WHERE a.id = activity_id)"
    )
    schema_editor.execute(
        "UPDATE activities_historicalparticipation SET customer_id = "
        "(SELECT h.customer_id FROM activities_historicalactivity h "
        "WHERE h.history_id = activities_historicalparticipation.history_id)"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0006_cost_report_indexes"),
        ("customers", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="participation",
            name="customer",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="customers.customer",
                verbose_name="customer",
            ),
        ),
        migrations.AddField(
            model_name="historicalparticipation",
            name="customer",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="customers.customer",
                verbose_name="customer",
            ),
        ),
        migrations.RunPython(fill_participation_customer, migrations.RunPython.noop),
    ]
