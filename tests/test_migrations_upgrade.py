"""An existing database upgrades in place: built with the migrations as they were before issue 11
(main at f02970a), filled through those historical models, migrated to the latest migrations,
and every row found again through today's models.

The move it guards above all: AnswerAggregate and TellTally went from the lessons app to the
quiz app (lessons 0005, quiz 0002), their tables taken over and renamed, not re-created.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from django.contrib.auth.models import User
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TransactionTestCase

from lessons.models import Assignment, AssignmentWork, Classroom, Membership, ReviewSchedule
from media_library.models import Clip
from quiz.models import Answer, AnswerAggregate, Attempt, Item, Quiz, TellTally

# The project apps' migration leaves at f02970a (`git ls-tree f02970a */migrations/`).
BEFORE_ISSUE_11 = [
    ("media_library", "0005_clip_analysis"),
    ("quiz", "0001_initial"),
    ("lessons", "0004_learners"),
]
DUE = datetime(2026, 3, 1, 9, tzinfo=UTC)
MONTH = date(2025, 11, 1)


def migrate(targets: list[tuple[str, str]]):
    """Migrate the test database to targets; return the executor's new state's apps."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    # A fresh loader: the one that migrated still caches the state it started from.
    executor = MigrationExecutor(connection)
    return executor.loader.project_state(targets).apps


def latest() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


class UpgradeFromBeforeIssue11Tests(TransactionTestCase):
    def setUp(self) -> None:
        # Whatever happens, the next test finds the database at the latest migrations.
        self.addCleanup(migrate, latest())
        self.old = migrate(BEFORE_ISSUE_11)
        self.fill(self.old)
        migrate(latest())

    def fill(self, apps) -> None:
        """One of everything, through the historical models (today's classes would not match
        the old tables)."""
        HUser = apps.get_model("auth", "User")
        teacher = HUser.objects.create(username="old_teacher", password="!")
        student = HUser.objects.create(username="old_student", password="!")
        clip = apps.get_model("media_library", "Clip").objects.create(
            title="Harbour speech", slug="harbour-speech", verdict="deepfake"
        )
        item = apps.get_model("quiz", "Item").objects.create(kind="verdict", clip=clip)
        quiz = apps.get_model("quiz", "Quiz").objects.create(title="Old quiz", slug="old-quiz")
        apps.get_model("quiz", "QuizItem").objects.create(quiz=quiz, item=item)
        attempt = apps.get_model("quiz", "Attempt").objects.create(
            quiz=quiz, mode="practice", user=student
        )
        entry = apps.get_model("quiz", "AttemptItem").objects.create(
            attempt=attempt, item=item, position=1
        )
        self.answer_key = uuid.uuid4()
        apps.get_model("quiz", "Answer").objects.create(
            key=self.answer_key,
            attempt=attempt,
            entry=entry,
            item=item,
            verdict="deepfake",
            is_correct=True,
            score=1.0,
        )
        classroom = apps.get_model("lessons", "Classroom").objects.create(
            name="8B media studies", code="OLDCLASS", owner=teacher
        )
        apps.get_model("lessons", "Membership").objects.create(classroom=classroom, student=student)
        assignment = apps.get_model("lessons", "Assignment").objects.create(
            classroom=classroom, title="Old assignment", quiz=quiz, due_at=DUE
        )
        apps.get_model("lessons", "AssignmentWork").objects.create(
            assignment=assignment, student=student, attempt=attempt
        )
        apps.get_model("lessons", "AnswerAggregate").objects.create(
            item=item, month=MONTH, answers=40, right=25, confident_answers=30, confidence_sum=2100
        )
        apps.get_model("lessons", "TellTally").objects.create(
            student=student, tell_category="face_edges", answers=12, right=7
        )
        apps.get_model("lessons", "ReviewSchedule").objects.create(
            student=student, tell_category="face_edges", box=3, due_at=DUE
        )

    def test_it_keeps_every_row_through_the_upgrade(self):
        student = User.objects.get(username="old_student")
        teacher = User.objects.get(username="old_teacher")
        clip = Clip.objects.get()
        self.assertEqual((clip.slug, clip.verdict), ("harbour-speech", "deepfake"))
        item = Item.objects.get()
        self.assertEqual(item.clip, clip)
        quiz = Quiz.objects.get()
        self.assertEqual(list(quiz.items.all()), [item])
        attempt = Attempt.objects.get()
        self.assertEqual((attempt.quiz, attempt.user), (quiz, student))
        answer = Answer.objects.get()
        self.assertEqual(
            (answer.key, answer.attempt, answer.is_correct), (self.answer_key, attempt, True)
        )

        classroom = Classroom.objects.get()
        self.assertEqual((classroom.code, classroom.owner), ("OLDCLASS", teacher))
        self.assertEqual(Membership.objects.get().student, student)
        assignment = Assignment.objects.get()
        self.assertEqual(
            (assignment.classroom, assignment.quiz, assignment.due_at), (classroom, quiz, DUE)
        )
        self.assertEqual(AssignmentWork.objects.get().attempt, attempt)
        schedule = ReviewSchedule.objects.get()
        self.assertEqual(
            (schedule.student, schedule.tell_category, schedule.box), (student, "face_edges", 3)
        )

        aggregate = AnswerAggregate.objects.get()
        self.assertEqual(
            (aggregate.item, aggregate.month, aggregate.answers, aggregate.right),
            (item, MONTH, 40, 25),
        )
        self.assertEqual((aggregate.confident_answers, aggregate.confidence_sum), (30, 2100))
        tally = TellTally.objects.get()
        self.assertEqual(
            (tally.student, tally.tell_category, tally.answers, tally.right),
            (student, "face_edges", 12, 7),
        )
        # The quiz app reads the moved relation: 40 purged answers and the one kept.
        crowd = item.crowd()
        self.assertEqual((crowd.answers, crowd.right), (41, 26))

    def test_it_renames_the_moved_tables_in_place(self):
        tables = set(connection.introspection.table_names())
        self.assertIn("quiz_answeraggregate", tables)
        self.assertIn("quiz_telltally", tables)
        self.assertNotIn("lessons_answeraggregate", tables)
        self.assertNotIn("lessons_telltally", tables)
        # New rows go on from the old ids (the id sequence moved with the table).
        old = AnswerAggregate.objects.get()
        new = AnswerAggregate.objects.create(item=old.item, month=date(2025, 12, 1))
        self.assertGreater(new.pk, old.pk)
