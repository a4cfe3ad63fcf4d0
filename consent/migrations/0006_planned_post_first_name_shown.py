"""“First name shown” becomes a permission on a post, not a place to publish.

Existing posts planned with the "first_name" purpose (as if it were a place) show
first names: they get first_name_shown. So does any post whose caption already names
one of its pupils by first name (allowed then only with that pupil's consent), so
that checking it again under the new rule does not flag a post that was right. The
purpose of the old "first_name" posts is kept as it was recorded: where they went
was never said, and the log keeps what was planned."""

import re

from django.db import migrations, models


def _names_a_pupil(post) -> bool:
    for first_name in post.pupils.values_list("first_name", flat=True):
        words = (first_name or "").split()
        if not words:
            continue
        pattern = r"(?<!\w)" + r"\s+".join(re.escape(w) for w in words) + r"(?!\w)"
        if re.search(pattern, post.caption or "", flags=re.IGNORECASE):
            return True
    return False


def forwards(apps, schema_editor):
    PlannedPost = apps.get_model("consent", "PlannedPost")
    PlannedPost.objects.filter(purpose_code="first_name").update(first_name_shown=True)
    for post in PlannedPost.objects.filter(first_name_shown=False).iterator():
        if _names_a_pupil(post):
            PlannedPost.objects.filter(pk=post.pk).update(first_name_shown=True)


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0005_evidence_guard"),
    ]

    operations = [
        migrations.AddField(
            model_name="plannedpost",
            name="first_name_shown",
            field=models.BooleanField(
                default=False, help_text="The post shows pupils' first names: each featured pupil's carers agreed."
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
