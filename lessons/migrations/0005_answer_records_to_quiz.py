"""AnswerAggregate and TellTally are counts of purged answers, so they belong to the quiz app.

State only: the tables stay as they are; quiz/migrations/0002_answer_records.py takes them over
(and renames them), so every row is kept.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("lessons", "0004_learners"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="AnswerAggregate"),
                migrations.DeleteModel(name="TellTally"),
            ],
            database_operations=[],
        ),
    ]
