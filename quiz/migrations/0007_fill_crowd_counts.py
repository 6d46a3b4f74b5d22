# Fills the crowd counts 0006 made from what there already is: each item's stored answers plus
# the monthly counts (AnswerAggregate) the retention purge folded deleted answers into, so the
# reveal, the results page and the progress page show the very figures they showed before.
# Run once, before the new code stores answers; reversing it empties the table.

from django.db import migrations
from django.db.models import Count, Q, Sum


def fill(apps, schema_editor):
    Answer = apps.get_model("quiz", "Answer")
    AnswerAggregate = apps.get_model("quiz", "AnswerAggregate")
    CrowdCount = apps.get_model("quiz", "CrowdCount")
    totals: dict[int, list[int]] = {}
    stored = (
        Answer.objects.order_by()
        .values("item_id")
        .annotate(n=Count("*"), right=Count("is_correct", filter=Q(is_correct=True)))
    )
    folded = (
        AnswerAggregate.objects.order_by()
        .values("item_id")
        .annotate(n=Sum("answers"), right=Sum("right"))
    )
    for row in [*stored, *folded]:
        counts = totals.setdefault(row["item_id"], [0, 0])
        counts[0] += row["n"]
        counts[1] += row["right"]
    CrowdCount.objects.bulk_create(
        [
            CrowdCount(item_id=item_id, answers=answers, right=right)
            for item_id, (answers, right) in totals.items()
        ],
        batch_size=1000,
    )


def empty(apps, schema_editor):
    apps.get_model("quiz", "CrowdCount").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("quiz", "0006_crowd_counts_and_unordered_answers"),
    ]

    operations = [
        migrations.RunPython(fill, empty),
    ]
