# Joins the two integrations branches built side by side: tokens + SCIM, webhooks + feeds.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0003_scim"),
        ("integrations", "0003_feeds"),
    ]

    operations = []
