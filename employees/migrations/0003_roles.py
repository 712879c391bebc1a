from django.db import migrations


def create_groups(apps, schema_editor):
    from employees.roles import ensure_role_groups

    ensure_role_groups(apps)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(
        name__in=["employee", "manager", "administrator"]
    ).delete()


class Migration(migrations.Migration):
    """The roles employee, manager and administrator as groups with their permissions."""

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("employees", "0002_teams"),
        ("activities", "0002_indexes_for_large_data"),
        ("customers", "0002_version"),
        ("dictionaries", "0003_exchange_rate"),
        ("schedule", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
