"""The demo class: "Demo class", owned by the demo teacher, with the demo student and three more
pseudonymous students who have done the practice quiz, so the gradebook has figures.

Called by seed_demo (lessons' command) after the demo quizzes exist. Re-running changes nothing:
the class is found by name and owner, students by nickname, and a student who already has an
attempt at the assignment is left alone. Answers are made through the quiz engine's models
(Attempt.start, Attempt.record), judged like real ones.
"""

from __future__ import annotations

import random
import uuid
from datetime import timedelta

from django.contrib.auth.models import User
from django.test import RequestFactory
from django.utils import timezone

from languages.commands import gettext as _
from lessons.models import Assignment, AssignmentWork, Classroom
from media_library.models import Technique, Verdict
from quiz.models import GivenAnswer, ItemKind, Quiz, Slot

CLASS_NAME = "Demo class"
QUIZ_SLUG = "demo-practice"
# Nickname → share of items answered right, so the gradebook shows a spread.
STUDENTS = {"student": 0.6, "quiet_owl": 0.8, "red_kite": 0.45, "swift_otter": 0.7}
DEMO_PASSWORD = "student-demo"  # noqa: S105 (published, like every demo account's)


def seed_demo_classroom() -> str:
    teacher = User.objects.get(username="teacher")
    quiz = Quiz.objects.filter(slug=QUIZ_SLUG).first()
    classroom = Classroom.objects.filter(name=CLASS_NAME, owner=teacher).first()
    if classroom is None:
        classroom = Classroom.objects.create(name=CLASS_NAME, owner=teacher)
    if quiz is None:
        return _("Classes: %(name)s (code %(code)s), no demo quiz to assign.") % {
            "name": CLASS_NAME,
            "code": classroom.code,
        }
    assignment, _created = Assignment.objects.get_or_create(
        classroom=classroom,
        quiz=quiz,
        defaults={
            # A teacher names an assignment in the one language of the class (it has no
            # translations): the demo teacher writes English, whatever language is active.
            "title": quiz.title_en,
            "due_at": timezone.now() + timedelta(days=7),
            "created_by": teacher,
        },
    )
    answered = 0
    for n, (nickname, skill) in enumerate(STUDENTS.items()):
        student, created = User.objects.get_or_create(username=nickname)
        if created:
            student.set_password(DEMO_PASSWORD)
            student.save(update_fields=["password"])
        classroom.join(student)
        if AssignmentWork.objects.filter(assignment=assignment, student=student).exists():
            continue
        # Seeded: every demo build shows the same gradebook.
        answered += answer_demo(assignment, student, random.Random(n), skill)  # noqa: S311
    return _(
        "Classes: %(name)s (code %(code)s) with %(students)d students, %(answers)d demo answers "
        "made now."
    ) % {"name": CLASS_NAME, "code": classroom.code, "students": len(STUDENTS), "answers": answered}


def answer_demo(assignment: Assignment, student: User, rng: random.Random, skill: float) -> int:
    request = RequestFactory().post("/")
    request.user = student
    request.session = {}
    attempt = assignment.start(request, rng)
    count = 0
    for entry in attempt.entries.select_related("item__clip", "item__other_clip"):
        attempt.record(entry, given_answer(entry, right=rng.random() < skill, rng=rng))
        count += 1
    return count


def given_answer(entry, *, right: bool, rng: random.Random) -> GivenAnswer:
    item = entry.item
    confidence = rng.choice((60, 70, 80, 90)) if ItemKind(item.kind).asks_confidence else None
    key = uuid.uuid4()
    if item.kind == ItemKind.VERDICT:
        truth = item.clip.verdict
        wrong = Verdict.REAL if truth != Verdict.REAL else Verdict.DEEPFAKE
        return GivenAnswer(key, verdict=truth if right else wrong, confidence=confidence)
    if item.kind == ItemKind.PAIR:
        fake_slot = Slot.A if entry.clip_in_slot(Slot.A).is_manipulated else Slot.B
        other = Slot.B if fake_slot == Slot.A else Slot.A
        return GivenAnswer(key, slot=fake_slot if right else other, confidence=confidence)
    if item.kind == ItemKind.TECHNIQUE:
        truth = item.correct_technique
        wrong = Technique.NONE if truth != Technique.NONE else Technique.FACE_SWAP
        return GivenAnswer(key, technique=truth if right else wrong)
    # Spot the tell: a click in the middle of the frame, right or not as the tell lies.
    return GivenAnswer(key, point=(0.5, 0.5), seconds=1.0)
