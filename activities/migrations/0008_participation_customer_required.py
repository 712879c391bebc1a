"""The customer copy of 0007 becomes required and gets its index; the customer's
indexes carry what matching them against a user's links needs (the id, the creator)."""

import django.db.models.deletion
from django.db import migrations, models

# PostgreSQL estimates the links of one employee and one customer as if the two were
# unrelated (100 where the busiest pair has 7 000) and then picks nested loops; these
# statistics tell it how they go together.
STATISTICS = (
    "CREATE STATISTICS IF NOT EXISTS participation_emp_customer_stats "
    "(dependencies, ndistinct, mcv) ON employee_id, customer_id FROM activities_participation"
)


def create_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(STATISTICS)
        schema_editor.execute("ANALYZE activities_participation")


def drop_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP STATISTICS IF EXISTS participation_emp_customer_stats")


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0007_participation_customer"),
    ]

    operations = [
        migrations.AlterField(
            model_name="participation",
            name="customer",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="customers.customer",
                verbose_name="customer",
            ),
        ),
        migrations.AddIndex(
            model_name="participation",
            index=models.Index(
                fields=["employee", "customer", "-start", "-activity"],
                name="participation_emp_customer",
            ),
        ),
        migrations.RemoveIndex(model_name="activity", name="activity_cust_kind_status"),
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(
                fields=["customer", "kind", "status", "id"], name="activity_cust_kind_status_id"
            ),
        ),
        migrations.RemoveIndex(model_name="activity", name="activity_customer_start"),
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(
                fields=["customer", "-start", "-id", "created_by"], name="activity_customer_list"
            ),
        ),
        migrations.RemoveIndex(model_name="activity", name="activity_start"),
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(fields=["-start", "-id", "created_by"], name="activity_list"),
        ),
        migrations.RunPython(create_statistics, drop_statistics),
    ]
