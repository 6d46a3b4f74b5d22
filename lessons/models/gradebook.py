"""A class's gradebook and the learning gain of its pre-test/post-test pairs.

The measures themselves come from quiz.measures.summarise over the answers students gave to
the class's assignments (answers given elsewhere never count here). The class row is pooled:
summarise over every student's answers together, not the mean of the students' figures. This
module only groups them per student and per tell, counts completion and lateness, and works
out the paired change between two tests: per student d = post accuracy - pre accuracy; for the
class the mean of d, Cohen's d_z = mean(d) / sd(d) (sd with n - 1), and the 95 % t-interval
mean(d) ± t(0.975, n - 1) · sd(d) / √n, given from MIN_PAIRED students up.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from statistics import NormalDist, fmean, stdev
from typing import TYPE_CHECKING

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lessons.models.assignments import Assignment, AssignmentRole, AssignmentWork
from quiz.estimates import Estimate, plain_number
from quiz.measures import AnswerRecord, Rate, Summary, TellRow, summarise
from quiz.models import Answer
from quiz.stored_records import keyed_records

if TYPE_CHECKING:
    # Types only: Classroom.gradebook() and PrePost.learning_gain() call this module, so it
    # must not import their modules when it runs.
    from lessons.models.classrooms import Classroom, Membership
    from lessons.models.prepost import PrePost

MIN_PAIRED = 3
# t(0.975, df) for df = 1..30 (any statistics table); above 30 the Cornish-Fisher expansion
# below agrees with the tables to three decimals.
T_975 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip


def t_975(df: int) -> float:
    if df < 1:
        raise ValueError(df)
    if df <= len(T_975):
        return T_975[df - 1]
    z = NormalDist().inv_cdf(0.975)
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    return z + g1 / df + g2 / df**2 + g3 / df**3


@dataclass(frozen=True)
class PairedChange:
    """The class's change between two tests, from the students who took both."""

    n: int
    mean: float | None
    sd: float | None
    effect_size: float | None  # Cohen's d_z
    low: float | None
    high: float | None

    @property
    def too_few(self) -> bool:
        return self.n < MIN_PAIRED

    @classmethod
    def of(cls, differences: list[float]) -> PairedChange:
        n = len(differences)
        if n < MIN_PAIRED:
            return cls(n, fmean(differences) if differences else None, None, None, None, None)
        mean, sd = fmean(differences), stdev(differences)
        half = t_975(n - 1) * sd / math.sqrt(n)
        return cls(n, mean, sd, mean / sd if sd else None, mean - half, mean + half)


@dataclass(frozen=True)
class StudentGain:
    membership: Membership
    pre: Rate | None
    post: Rate | None
    retest: Rate | None

    @staticmethod
    def _change(before: Rate | None, after: Rate | None) -> float | None:
        if before is None or after is None or not before.n or not after.n:
            return None
        return after.value - before.value

    @property
    def gain(self) -> float | None:
        return self._change(self.pre, self.post)

    @property
    def retained(self) -> float | None:
        return self._change(self.pre, self.retest)


@dataclass(frozen=True)
class LearningGain:
    prepost: PrePost
    rows: list[StudentGain]
    change: PairedChange
    retest_change: PairedChange | None

    @classmethod
    def of(cls, prepost: PrePost) -> LearningGain:
        roster = list(prepost.classroom.roster())
        accuracy = {}
        for role in (AssignmentRole.PRE_TEST, AssignmentRole.POST_TEST, AssignmentRole.RETEST):
            # Counted by the database, one row per student: never one row per answer.
            per_student = (
                AssignmentWork.objects.filter(
                    assignment__prepost=prepost,
                    assignment__role=role,
                    attempt__finished_at__isnull=False,
                )
                .values("student_id")
                .annotate(
                    n=Count("attempt__answers"),
                    right=Count("attempt__answers", filter=Q(attempt__answers__is_correct=True)),
                )
                .order_by()
            )
            accuracy[role] = {
                row["student_id"]: Rate(row["right"], row["n"]) for row in per_student if row["n"]
            }
        rows = [
            StudentGain(
                member,
                accuracy[AssignmentRole.PRE_TEST].get(member.student_id),
                accuracy[AssignmentRole.POST_TEST].get(member.student_id),
                accuracy[AssignmentRole.RETEST].get(member.student_id),
            )
            for member in roster
        ]
        has_retest = prepost.assignments.filter(role=AssignmentRole.RETEST).exists()
        return cls(
            prepost,
            rows,
            PairedChange.of([row.gain for row in rows if row.gain is not None]),
            PairedChange.of([row.retained for row in rows if row.retained is not None])
            if has_retest
            else None,
        )


@dataclass(frozen=True)
class StudentRow:
    membership: Membership
    summary: Summary
    tells: list[Rate | None]
    assigned: int
    done: int
    late: int
    overdue: int
    # The gradebook's tell columns, in the order of `tells`.
    tell_columns: list[TellRow] = field(default_factory=list)

    @property
    def student(self):
        return self.membership.student

    @property
    def labelled_tells(self) -> list[tuple[TellRow, Rate | None]]:
        """Each tell cell with its column, so a phone's stacked row can label every number."""
        return list(zip(self.tell_columns, self.tells, strict=True))


@dataclass(frozen=True)
class Gradebook:
    classroom: Classroom
    rows: list[StudentRow]
    summary: Summary
    tell_columns: list[TellRow]
    assignments: list[Assignment] = field(default_factory=list)

    @classmethod
    def of(cls, classroom: Classroom) -> Gradebook:
        roster = list(classroom.roster())
        members = [member.student_id for member in roster]
        assignments = list(classroom.assignments.all())
        # Plain rows, one per answer, and each item's facts read once (quiz.stored_records):
        # a class's tens of thousands of answers never become model instances.
        keyed = keyed_records(
            Answer.objects.filter(
                attempt__class_work__assignment__classroom=classroom,
                attempt__user__in=members,
            ),
            "attempt__user_id",
        )
        class_summary = summarise([record for _student, record in keyed])
        columns = class_summary.per_tell_rows
        by_student: dict[int, list[AnswerRecord]] = {}
        for student_id, record in keyed:
            by_student.setdefault(student_id, []).append(record)
        work: dict[int, list[AssignmentWork]] = {}
        for item in AssignmentWork.objects.filter(
            assignment__classroom=classroom, student__in=members
        ).select_related("attempt", "assignment"):
            work.setdefault(item.student_id, []).append(item)
        now = timezone.now()
        rows = []
        for member in roster:
            summary = summarise(by_student.get(member.student_id, []))
            finished = [w for w in work.get(member.student_id, []) if w.finished_at]
            finished_ids = {w.assignment_id for w in finished}
            rows.append(
                StudentRow(
                    membership=member,
                    summary=summary,
                    tells=[summary.per_tell.get(column.category) for column in columns],
                    assigned=len(assignments),
                    done=len(finished),
                    late=sum(w.is_late for w in finished),
                    overdue=sum(a.due_at < now and a.pk not in finished_ids for a in assignments),
                    tell_columns=columns,
                )
            )
        return cls(classroom, rows, class_summary, columns, assignments)

    def csv(self) -> str:
        """One row per student, the numbers as plain decimals (no % signs) for spreadsheets.
        Each measure that is an estimate has its 95 % interval in the two columns after it
        ("… low", "… high"); below MIN_CLIPS fakes or real clips judged the three are empty
        (the counts beside them say why), the same rule as the page."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(
            [
                _("pseudonym"),
                _("assignments done"),
                _("assignments set"),
                _("handed in late"),
                _("overdue"),
                _("answers"),
                _("accuracy"),
                _("fakes caught"),
                _("fakes judged"),
                *_with_interval(_("hit rate")),
                _("real clips called fake"),
                _("real clips judged"),
                *_with_interval(_("false-alarm rate")),
                *_with_interval("d'"),
                *_with_interval("c"),
                *_with_interval(_("ROC area")),
                _("mean confidence"),
                _("Brier score"),
                _("median seconds per item"),
                *[_("accuracy: %(tell)s") % {"tell": column.label} for column in self.tell_columns],
            ]
        )
        for row in self.rows:
            s = row.summary
            writer.writerow(
                [
                    _csv_safe(row.student.get_username()),
                    row.done,
                    row.assigned,
                    row.late,
                    row.overdue,
                    s.n,
                    _num(s.accuracy.value),
                    s.hit_rate.k,
                    s.hit_rate.n,
                    *_estimate_cells(s.hit_estimate),
                    s.false_alarm_rate.k,
                    s.false_alarm_rate.n,
                    *_estimate_cells(s.false_alarm_estimate),
                    *_estimate_cells(s.d_prime_estimate),
                    *_estimate_cells(s.criterion_estimate),
                    *_estimate_cells(s.roc_area),
                    _num(s.mean_confidence, 1),
                    _num(s.brier),
                    _num(s.median_seconds, 1),
                    *[_num(rate.value if rate else None) for rate in row.tells],
                ]
            )
        return out.getvalue()


def _num(value: float | None, places: int = 3) -> str:
    # The one rule (quiz.estimates): rounded first, so never "-0.000".
    return plain_number(value, places)


def _with_interval(name: str) -> list[str]:
    return [
        name,
        _("%(measure)s low") % {"measure": name},
        _("%(measure)s high") % {"measure": name},
    ]


def _estimate_cells(estimate: Estimate | None) -> list[str]:
    if estimate is None:
        return ["", "", ""]
    return [_num(estimate.value), _num(estimate.low), _num(estimate.high)]


def _csv_safe(text: str) -> str:
    # A pseudonym starting with = + - @ would run as a formula when the CSV is opened in a
    # spreadsheet (CSV injection).
    return "'" + text if text[:1] in "=+-@\t\r" else text
