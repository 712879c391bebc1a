"""The copies of 0004 become required and get their indexes. Apart from 0004 because
PostgreSQL cannot alter a table in the transaction that just updated its rows."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0004_participation_and_local_date"),
    ]

    operations = [
        migrations.AlterField(
            model_name="participation",
            name="start",
            field=models.DateTimeField(verbose_name="start"),
        ),
        migrations.AlterField(
            model_name="participation",
            name="end",
            field=models.DateTimeField(verbose_name="end"),
        ),
        migrations.AlterField(
            model_name="participation",
            name="in_schedule",
            field=models.BooleanField(verbose_name="in the employee's schedule"),
        ),
        # History rows always had an activity row to copy from; NOT NULL as the model
        # says (a link without its activity's history, which cannot happen, would stop
        # the migration here rather than be left half-filled).
        migrations.AlterField(
            model_name="historicalparticipation",
            name="start",
            field=models.DateTimeField(verbose_name="start"),
        ),
        migrations.AlterField(
            model_name="historicalparticipation",
            name="end",
            field=models.DateTimeField(verbose_name="end"),
        ),
        migrations.AlterField(
            model_name="historicalparticipation",
            name="in_schedule",
            field=models.BooleanField(verbose_name="in the employee's schedule"),
        ),
        migrations.AddIndex(
            model_name="participation",
            index=models.Index(
                fields=["employee", "start", "activity", "end", "in_schedule"],
                name="participation_employee_start",
            ),
        ),
        migrations.AddIndex(
            model_name="participation",
            index=models.Index(
                condition=models.Q(("long_running", True)),
                fields=["employee", "start"],
                name="participation_long_running",
            ),
        ),
        migrations.AddConstraint(
            model_name="participation",
            constraint=models.CheckConstraint(
                condition=models.Q(("end__gte", models.F("start"))),
                name="participation_end_after_start",
            ),
        ),
        migrations.RunSQL("ANALYZE activities_participation", migrations.RunSQL.noop),
    ]
