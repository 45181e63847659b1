from django.db import migrations, models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce


def count_attachments(apps, schema_editor):
    Post = apps.get_model("communities", "Post")
    Attachment = apps.get_model("communities", "Attachment")
    counts = (
        Attachment.objects.filter(post=OuterRef("pk")).order_by().values("post").annotate(n=Count("id")).values("n")
    )
    Post.objects.filter(pk__in=Attachment.objects.filter(post__isnull=False).values("post")).update(
        attachments_count=Coalesce(Subquery(counts), 0)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("communities", "0011_digestrun"),
    ]

    operations = [
        migrations.AddField(
            model_name="post",
            name="attachments_count",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(count_attachments, migrations.RunPython.noop),
    ]
