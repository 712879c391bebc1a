"""Two copies that make a million activities fast (bench/RESULTS.md):

- `Activity.local_start_date`: the start's date in the activity's own zone, which the cost
  report groups and converts by (computing it per row in SQL took seconds);
- the employees' link table becomes the `Participation` model, carrying the activity's
  start, end and schedule flag, so an employee's week and the conflict check are a range
  of one index. The table keeps its rows: it is renamed and given the new columns, filled
  from the activities. The participants' history (django-simple-history's copy of the
  link table) is renamed the same way and its new columns filled from the activities'
  historical rows.
"""

import datetime
import zoneinfo

import django.db.models.deletion
from django.db import migrations, models

SHORT_SPAN_SQL = {
    # SHORT_SPAN (7 days) in each database's own arithmetic on the stored timestamps.
    "postgresql": "(\"end\" - start) > interval '7 days'",
    "sqlite": '(julianday("end") - julianday(start)) > 7',
}


def fill_local_start_date(apps, schema_editor):
    """The date of `start` in `time_zone`, for every activity and historical row."""
    vendor = schema_editor.connection.vendor
    for name in ("Activity", "HistoricalActivity"):
        model = apps.get_model("activities", name)
        table = schema_editor.quote_name(model._meta.db_table)
        if vendor == "postgresql":
            schema_editor.execute(
                f"UPDATE {table} SET local_start_date = (start AT TIME ZONE time_zone)::date"
            )
            continue
        key = "history_id" if name == "HistoricalActivity" else "id"
        rows = model.objects.values_list(key, "start", "time_zone").order_by(key).iterator(5000)
        batch = []
        for pk, start, zone in rows:
            batch.append((start.astimezone(zoneinfo.ZoneInfo(zone)).date().isoformat(), pk))
            if len(batch) >= 5000:
                _update_dates(schema_editor, table, key, batch)
                batch = []
        _update_dates(schema_editor, table, key, batch)


def _update_dates(schema_editor, table, key, batch):
    if batch:
        with schema_editor.connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {table} SET local_start_date = %s WHERE {key} = %s", batch)


def fill_participation_times(apps, schema_editor):
    """Copies start, end and the schedule flag of each activity into its links, and of
    each historical activity row into the historical links."""
    span = SHORT_SPAN_SQL[schema_editor.connection.vendor]
    schema_editor.execute(
        "UPDATE activities_participation SET "
        "start = (SELECT a.start FROM activities_activity a WHERE a.id = activity_id), "
        '"end" = (SELECT a."end" FROM activities_activity a WHERE a.id = activity_id), '
        "in_schedule = (SELECT a.in_schedule FROM activities_activity a "
        "WHERE a.id = activity_id)"
    )
    schema_editor.execute(f"UPDATE activities_participation SET long_running = {span}")
    schema_editor.execute(
        "UPDATE activities_historicalparticipation SET "
        "start = (SELECT h.start FROM activities_historicalactivity h "
        "WHERE h.history_id = activities_historicalparticipation.history_id), "
        '"end" = (SELECT h."end" FROM activities_historicalactivity h '
        "WHERE h.history_id = activities_historicalparticipation.history_id), "
        "in_schedule = (SELECT h.in_schedule FROM activities_historicalactivity h "
        "WHERE h.history_id = activities_historicalparticipation.history_id)"
    )
    schema_editor.execute(
        f"UPDATE activities_historicalparticipation SET long_running = {span} "
        "WHERE start IS NOT NULL"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0003_history"),
        ("employees", "0003_roles"),
    ]

    operations = [
        # --- the local start date ----------------------------------------------------
        migrations.AddField(
            model_name="activity",
            name="local_start_date",
            field=models.DateField(
                default=datetime.date(2000, 1, 1),
                editable=False,
                verbose_name="start date (local)",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="historicalactivity",
            name="local_start_date",
            field=models.DateField(
                default=datetime.date(2000, 1, 1),
                editable=False,
                verbose_name="start date (local)",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(fill_local_start_date, migrations.RunPython.noop),
        # --- the link table becomes Participation (same rows, same ids) --------------
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Participation",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "activity",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="participations",
                                to="activities.activity",
                            ),
                        ),
                        (
                            "employee",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="participations",
                                to="employees.employee",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "participation",
                        "verbose_name_plural": "participations",
                        "db_table": "activities_activity_employees",
                        "unique_together": {("activity", "employee")},
                    },
                ),
                migrations.AlterField(
                    model_name="activity",
                    name="employees",
                    field=models.ManyToManyField(
                        related_name="activities",
                        through="activities.Participation",
                        to="employees.employee",
                        verbose_name="employees",
                    ),
                ),
                migrations.RenameModel("HistoricalActivity_employees", "HistoricalParticipation"),
                migrations.AlterModelOptions(
                    name="historicalparticipation",
                    options={"verbose_name": "HistoricalParticipation"},
                ),
                migrations.AlterField(
                    model_name="historicalparticipation",
                    name="activity",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="activities.activity",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalparticipation",
                    name="employee",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="employees.employee",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE activities_historicalactivity_employees "
                    "RENAME TO activities_historicalparticipation",
                    "ALTER TABLE activities_historicalparticipation "
                    "RENAME TO activities_historicalactivity_employees",
                ),
            ],
        ),
        migrations.AlterModelTable(name="participation", table=None),
        migrations.RunSQL(
            "DROP INDEX activity_employees_by_employee",
            "CREATE INDEX activity_employees_by_employee "
            "ON activities_participation (employee_id, activity_id)",
        ),
        migrations.AddField(
            model_name="participation",
            name="start",
            field=models.DateTimeField(null=True, verbose_name="start"),
        ),
        migrations.AddField(
            model_name="participation",
            name="end",
            field=models.DateTimeField(null=True, verbose_name="end"),
        ),
        migrations.AddField(
            model_name="participation",
            name="in_schedule",
            field=models.BooleanField(null=True, verbose_name="in the employee's schedule"),
        ),
        migrations.AddField(
            model_name="participation",
            name="long_running",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AddField(
            model_name="historicalparticipation",
            name="start",
            field=models.DateTimeField(null=True, verbose_name="start"),
        ),
        migrations.AddField(
            model_name="historicalparticipation",
            name="end",
            field=models.DateTimeField(null=True, verbose_name="end"),
        ),
        migrations.AddField(
            model_name="historicalparticipation",
            name="in_schedule",
            field=models.BooleanField(null=True, verbose_name="in the employee's schedule"),
        ),
        migrations.AddField(
            model_name="historicalparticipation",
            name="long_running",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.RunPython(fill_participation_times, migrations.RunPython.noop),
    ]
