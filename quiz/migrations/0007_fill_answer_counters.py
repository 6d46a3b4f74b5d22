# Fills the counters 0006 made from what there already is, so every page shows the very figures
# it showed before:
# - CrowdCount: each item's stored answers plus the monthly counts (AnswerAggregate) the
#   retention purge folded deleted answers into;
# - AnswerGroupCount: the stored answers grouped by quiz, item, their attempt's totals (answers,
#   right) and correctness, with their confidences (quiz.models.answer_groups).
# Reversing it empties both tables.

from collections import defaultdict

from django.db import migrations
from django.db.models import Count, Q, Sum


def fill_crowd_counts(apps):
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


def fill_answer_groups(apps):
    Answer = apps.get_model("quiz", "Answer")
    AnswerGroupCount = apps.get_model("quiz", "AnswerGroupCount")
    groups: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])

    def add(rows):
        right = sum(bool(row[3]) for row in rows)
        for _attempt, quiz, item, correct, confidence in rows:
            counts = groups[quiz, item, len(rows), right, bool(correct)]
            counts[0] += 1
            if confidence is not None:
                counts[1] += 1
                counts[2] += confidence

    attempt, rows = None, []
    for row in (
        Answer.objects.order_by("attempt_id")
        .values_list("attempt_id", "attempt__quiz_id", "item_id", "is_correct", "confidence")
        .iterator(chunk_size=10000)
    ):
        if row[0] != attempt and rows:
            add(rows)
            rows = []
        attempt = row[0]
        rows.append(row)
    if rows:
        add(rows)
    AnswerGroupCount.objects.bulk_create(
        [
            AnswerGroupCount(
                quiz_id=quiz,
                item_id=item,
                attempt_answers=size,
                attempt_right=right,
                correct=correct,
                answers=answers,
                confident_answers=confident,
                confidence_sum=confidence_sum,
            )
            for (quiz, item, size, right, correct), (answers, confident, confidence_sum) in (
                groups.items()
            )
        ],
        batch_size=1000,
    )


def fill(apps, schema_editor):
    fill_crowd_counts(apps)
    fill_answer_groups(apps)


def empty(apps, schema_editor):
    apps.get_model("quiz", "CrowdCount").objects.all().delete()
    apps.get_model("quiz", "AnswerGroupCount").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("quiz", "0006_answer_counters_and_unordered_answers"),
    ]

    operations = [
        migrations.RunPython(fill, empty),
    ]
