from django.db import migrations


def create_role(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.get_or_create(name="Staff representative")


class Migration(migrations.Migration):
    dependencies = [("engagement", "0001_initial"), ("accounts", "0002_roles")]

    operations = [migrations.RunPython(create_role, migrations.RunPython.noop)]
