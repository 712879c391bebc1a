"""Participation copies its activity's kind and status (see the model): added, filled
from the activities (and the historical links from their historical activities), and
indexed in 0011 (PostgreSQL cannot alter a table in the transaction that just updated
its rows)."""

from django.db import migrations, models

KIND_CHOICES = [("meeting", "Meeting"), ("contact", "Contact"), ("task", "Task")]
STATUS_CHOICES = [("planned", "Planned"), ("ended", "Ended"), ("cancelled", "Cancelled")]


def fill_kind_and_status(apps, schema_editor):
    schema_editor.execute(
        "UPDATE activities_participation SET "
        "kind = (SELECT a.kind FROM activities_activity a WHERE a.id = activity_id), "
        "status = (SELECT a.status FROM activities_activity a WHERE a.id = activity_id)"
    )
    schema_editor.execute(
        "UPDATE activities_historicalparticipation SET "
        "kind = (SELECT h.kind FROM activities_historicalactivity h "
        "WHERE h.history_id = activities_historicalparticipation.history_id), "
        "status = (SELECT h.status FROM activities_historicalactivity h "
        "WHERE h.history_id = activities_historicalparticipation.history_id)"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0009_created_by_start_index"),
    ]

    operations = [
        migrations.AddField(
            model_name=model,
            name=name,
            field=models.CharField(
                choices=choices,
                default="",
                editable=False,
                max_length=10,
                verbose_name=name,
            ),
            preserve_default=False,
        )
        for model in ("participation", "historicalparticipation")
        for name, choices in (("kind", KIND_CHOICES), ("status", STATUS_CHOICES))
    ] + [
        migrations.RunPython(fill_kind_and_status, migrations.RunPython.noop),
    ]
