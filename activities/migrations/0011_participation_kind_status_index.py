"""The index of 0010's copies: an employee's counts per kind and status of one customer;
the customer's index per kind and status carries the creator (see the models)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0010_participation_kind_status"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="participation",
            index=models.Index(
                fields=["employee", "customer", "kind", "status"],
                name="participation_emp_cust_kind",
            ),
        ),
        migrations.RemoveIndex(model_name="activity", name="activity_cust_kind_status_id"),
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(
                fields=["customer", "kind", "status", "id", "created_by"],
                name="activity_cust_kind_creator",
            ),
        ),
    ]
