"""A campaign's dashboard: aggregates only, by round (the first round and the booster retest,
never mixed), overall and per language, per day, per item, the survey and the booster's change.

What it costs: the database sums the participations' counters (kept as answers arrive) and the
items' tallies, grouped. What must be computed per person first (each participant's d', the
paired survey and booster changes) comes from the database as counts of people sharing each
combination of counters or answers (rows the quiz's length bounds, not the crowd's size), and
is worked out for all of them at once with numpy. No answer row is read, and the number of queries
does not depend on the number of participants.

Intervals: rates pool the group's answers with Wilson's interval (quiz.estimates.wilson); that
treats a person's answers as independent, so it is somewhat narrower than the truth. d' is the
mean of the participants' own d' (rates corrected like quiz.estimates.corrected_rate, people who
saw no fake or no real clip left out) with a t interval, as are the survey's and the booster's
paired changes.

K-anonymity: any figure computed from fewer than settings.CAMPAIGN_MIN_CELL participants is
shown as "fewer than N", its count included, on the page and in the CSV (the same cells).
Where parts add up to a shown total (languages, days, survey answers) and only one part is
hidden, a second one is hidden too (`suppress_complement`), and a completion rate hides with
its finished count. What cells cannot stop: someone who reads the dashboard just before and
just after one known person takes part sees that person's difference. The figures are meant
for a public crowd, where nobody can time that; a campaign run for a known handful of people
would need noise added to every figure instead.
"""

from __future__ import annotations

import csv
import io
import math
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaigns.models import Campaign, ItemTally, Participation, Round, language_name
from campaigns.models.participation import SURVEY_SCALE
from media_library.models import Verdict
from quiz.estimates import Estimate, plain_number, wilson
from quiz.models import ItemKind

COUNT, RATE, NUMBER = "count", "rate", "number"


def min_cell() -> int:
    return settings.CAMPAIGN_MIN_CELL


def hidden_text() -> str:
    return _("fewer than %(n)d") % {"n": min_cell()}


@dataclass
class Cell:
    """One figure, with how many participants it is computed from."""

    section: str
    group: str
    measure: str
    participants: int
    value: float | None = None
    low: float | None = None
    high: float | None = None
    kind: str = COUNT
    # Hidden although computed from enough people: it would give a hidden cell away.
    suppressed: bool = False

    @property
    def hidden(self) -> bool:
        return self.suppressed or self.participants < min_cell()

    @property
    def text(self) -> str:
        if self.hidden:
            return hidden_text()
        if self.value is None:
            return "\u2013"
        if self.kind == COUNT:
            return number_format(int(self.value), force_grouping=True)
        return self._estimate().text

    @property
    def interval_text(self) -> str:
        if self.hidden or self.low is None or self.high is None:
            return ""
        return self._estimate().interval_text

    def _estimate(self) -> Estimate:
        value = self.value or 0.0
        low = value if self.low is None else self.low
        high = value if self.high is None else self.high
        return Estimate(value, low, high, as_percent=self.kind == RATE)

    def csv_row(self) -> list[str]:
        if self.hidden:
            return [self.section, self.group, self.measure, hidden_text(), "", ""]
        if self.kind == COUNT:
            value = "" if self.value is None else str(int(self.value))
            return [self.section, self.group, self.measure, value, "", ""]
        return [
            self.section,
            self.group,
            self.measure,
            plain_number(self.value),
            plain_number(self.low),
            plain_number(self.high),
        ]


def suppress_complement(total: Cell, parts: list[Cell]) -> list[Cell]:
    """Secondary suppression. When a total is shown and exactly one of the parts that add up
    to it is hidden, the hidden one is the total minus the others: the smallest part still
    shown is hidden too, so that two unknowns remain and neither can be worked out. Returns the
    parts hidden here (their rows hide every other figure too)."""
    if total.hidden:
        return []
    # An empty part is no one: knowing it is 0 singles nobody out.
    hidden = [part for part in parts if part.hidden and part.participants > 0]
    shown = sorted((p for p in parts if not p.hidden), key=lambda p: (p.participants, p.group))
    if len(hidden) != 1 or not shown:
        return []
    shown[0].suppressed = True
    return [shown[0]]


def rate_cell(section: str, group: str, measure: str, people: int, k: int, n: int) -> Cell:
    if n <= 0:
        return Cell(section, group, measure, people, kind=RATE)
    estimate = wilson(k, n)
    return Cell(section, group, measure, people, estimate.value, estimate.low, estimate.high, RATE)


def mean_cell(
    section: str, group: str, measure: str, values: np.ndarray, people: np.ndarray
) -> Cell:
    """The mean over participants of a value that `people[i]` of them share (`values[i]`),
    with its 95 % t interval; NaN values (no d' to be had) are left out."""
    keep = ~np.isnan(values) & (people > 0)
    values, people = values[keep], people[keep].astype(float)
    n = int(people.sum())
    if n == 0:
        return Cell(section, group, measure, 0, kind=NUMBER)
    mean = float((values * people).sum() / n)
    if n < 2:
        return Cell(section, group, measure, n, mean, kind=NUMBER)
    # Imported here, as quiz.estimates does with scikit-learn: SciPy takes a while to import and
    # only this page needs it.
    from scipy.stats import t

    sd = math.sqrt(float((people * (values - mean) ** 2).sum()) / (n - 1))
    half = float(t.ppf(0.975, n - 1)) * sd / math.sqrt(n)
    return Cell(section, group, measure, n, mean, mean - half, mean + half, NUMBER)


def participant_d_primes(
    hits: np.ndarray, misses: np.ndarray, false_alarms: np.ndarray, rejections: np.ndarray
) -> np.ndarray:
    """Each participant's d' = z(H) - z(F), with rates of 0 and 1 moved 1/(2N) inwards (the
    rule of quiz.estimates.corrected_rate); NaN for anyone who saw no fake or no real clip."""
    from scipy.special import ndtri

    fakes = hits + misses
    reals = false_alarms + rejections
    seen = (fakes > 0) & (reals > 0)
    d = np.full(hits.shape, np.nan)
    if not seen.any():
        return d
    f_n, r_n = fakes[seen].astype(float), reals[seen].astype(float)
    h, fa = hits[seen].astype(float), false_alarms[seen].astype(float)
    hit_rate = np.clip(h / f_n, 0.5 / f_n, 1 - 0.5 / f_n)
    fa_rate = np.clip(fa / r_n, 0.5 / r_n, 1 - 0.5 / r_n)
    d[seen] = ndtri(hit_rate) - ndtri(fa_rate)
    return d


def _summed(cells: list[dict], keys: tuple[str, ...]) -> list[dict]:
    """The database's grouped sums, added up further over every field but `keys`."""
    totals: dict[tuple, dict] = {}
    for cell in cells:
        key = tuple(cell[k] for k in keys)
        total = totals.setdefault(key, dict(zip(keys, key, strict=True)))
        for name, value in cell.items():
            if name not in ("round", "language", "day"):
                total[name] = total.get(name, 0) + (value or 0)
    return list(totals.values())


class Patterns:
    """People by their counters: (round, language, hits, misses, false alarms, correct
    rejections, how many people), with each combination's d'."""

    def __init__(self, rows, *, _arrays: tuple | None = None) -> None:
        if _arrays is None:
            rows = list(rows)
            self.rounds = np.array([r[0] for r in rows], dtype=object)
            self.languages = np.array([r[1] for r in rows], dtype=object)
            counts = np.array([r[2:] for r in rows], dtype=np.int64).reshape(-1, 5)
            self.people = counts[:, 4]
            self.d_prime = participant_d_primes(*(counts[:, i] for i in range(4)))
        else:
            self.rounds, self.languages, self.people, self.d_prime = _arrays

    def _where(self, mask: np.ndarray) -> Patterns:
        arrays = (self.rounds[mask], self.languages[mask], self.people[mask], self.d_prime[mask])
        return Patterns((), _arrays=arrays)

    def of_round(self, round_: str) -> Patterns:
        return self._where(self.rounds == round_)

    def of_language(self, code: str) -> Patterns:
        return self._where(self.languages == code)


@dataclass
class Row:
    label: str
    cells: list[Cell]
    lang: str = ""  # the label's language, for a language's own name
    note: str = ""  # what the row is, beside its label (an item's truth)

    def hide_all(self) -> None:
        for cell in self.cells:
            cell.suppressed = True


@dataclass
class Table:
    caption: str
    columns: list[str]
    rows: list[Row] = field(default_factory=list)
    note_column: str = ""  # the heading of the rows' notes, when they have one

    @property
    def lines(self) -> list[tuple[Row, list[tuple[str, Cell]]]]:
        """Each row with its cells beside their column's heading (a phone's stacked cells
        print it before the value)."""
        return [(row, list(zip(self.columns, row.cells, strict=True))) for row in self.rows]


SUMMARY_COLUMNS = [
    ("participants", gettext_lazy("Participants")),
    ("finished", gettext_lazy("Finished")),
    ("completion", gettext_lazy("Completion")),
    ("accuracy", gettext_lazy("Accuracy")),
    ("hit_rate", gettext_lazy("Hit rate (fakes called fake)")),
    ("false_alarm_rate", gettext_lazy("False-alarm rate (real clips called fake)")),
    ("d_prime", gettext_lazy("Discernment (d′)")),
]


@dataclass
class RoundReport:
    round: str
    label: str
    summary: Table
    days: Table
    items: Table
    survey: Table | None
    survey_change: list[Cell]

    @property
    def tables(self) -> list[Table]:
        return [t for t in (self.summary, self.days, self.items, self.survey) if t is not None]


@dataclass
class Dashboard:
    campaign: Campaign
    rounds: list[RoundReport]
    booster: list[Cell]

    @classmethod
    def of(cls, campaign: Campaign) -> Dashboard:
        participations = Participation.objects.filter(campaign=campaign).order_by()
        finished = Q(attempt__finished_at__isnull=False)
        # One pass over the campaign's participations, by round, language and day: the
        # language table and the day table are sums of its few cells.
        cells = list(
            participations.annotate(day=TruncDate("started_at"))
            .values("round", "language", "day")
            .annotate(
                started=Count("pk"),
                finished=Count("pk", filter=finished),
                answered_people=Count("pk", filter=Q(answered__gt=0)),
                fake_people=Count("pk", filter=Q(hits__gt=0) | Q(misses__gt=0)),
                real_people=Count("pk", filter=Q(false_alarms__gt=0) | Q(correct_rejections__gt=0)),
                answered=Sum("answered"),
                correct=Sum("correct"),
                hits=Sum("hits"),
                misses=Sum("misses"),
                false_alarms=Sum("false_alarms"),
                correct_rejections=Sum("correct_rejections"),
            )
        )
        groups = _summed(cells, ("round", "language"))
        days = sorted(_summed(cells, ("round", "day")), key=lambda d: d["day"])
        items = (
            ItemTally.objects.filter(campaign=campaign)
            .values("round", "item_id", "item__kind", "item__clip__title", "item__clip__verdict")
            .annotate(answers=Sum("answers"), correct=Sum("correct"), said_fake=Sum("said_fake"))
            .order_by("item_id")
        )
        # What must be worked out per person first (their d', their change of answer) comes
        # from the counts of people sharing each combination of counters, which the quiz's
        # length bounds, not the crowd's size: people who finish a quiz of 10 fakes and 10 real
        # clips share at most 11 x 11 combinations per round and language.
        patterns = Patterns(
            participations.values_list(
                "round", "language", "hits", "misses", "false_alarms", "correct_rejections"
            ).annotate(people=Count("pk"))
        )
        surveys = list(
            participations.filter(Q(survey_before__isnull=False) | Q(survey_after__isnull=False))
            .values_list("round", "survey_before", "survey_after")
            .annotate(people=Count("pk"))
        )
        retests = list(
            participations.filter(round=Round.BOOSTER)
            .values_list(
                "first__hits",
                "first__misses",
                "first__false_alarms",
                "first__correct_rejections",
                "hits",
                "misses",
                "false_alarms",
                "correct_rejections",
            )
            .annotate(people=Count("pk"))
        )
        return cls._build(campaign, groups, days, list(items), patterns, surveys, retests)

    @classmethod
    def _build(cls, campaign, groups, days, items, patterns, surveys, retests) -> Dashboard:
        shown_rounds = [Round.FIRST]
        if campaign.booster_enabled or any(g["round"] == Round.BOOSTER for g in groups):
            shown_rounds.append(Round.BOOSTER)
        reports = []
        for round_ in shown_rounds:
            answers = [row[1:] for row in surveys if row[0] == round_]
            # The survey is the first round's; a round where nobody answered it has no table.
            surveyed = campaign.survey_enabled and (round_ == Round.FIRST or bool(answers))
            reports.append(
                RoundReport(
                    round=round_,
                    label=str(Round(round_).label),
                    summary=cls._summary(
                        campaign,
                        round_,
                        [g for g in groups if g["round"] == round_],
                        patterns.of_round(round_),
                    ),
                    days=cls._days(round_, [d for d in days if d["round"] == round_]),
                    items=cls._items(round_, [i for i in items if i["round"] == round_]),
                    survey=cls._survey(round_, answers) if surveyed else None,
                    survey_change=cls._survey_change(round_, answers) if surveyed else [],
                )
            )
        booster = cls._booster(retests) if Round.BOOSTER in shown_rounds else []
        return cls(campaign, reports, booster)

    # --- the sections ---

    @staticmethod
    def _summary_row(section: str, group: str, g: dict, d: Patterns) -> list[Cell]:
        participants = Cell(section, group, "participants", g["started"], g["started"])
        finished = Cell(section, group, "finished", g["finished"], g["finished"])
        completion = rate_cell(
            section, group, "completion", g["started"], g["finished"], g["started"]
        )
        return [
            participants,
            finished,
            completion,
            rate_cell(
                section, group, "accuracy", g["answered_people"], g["correct"], g["answered"]
            ),
            rate_cell(
                section, group, "hit_rate", g["fake_people"], g["hits"], g["hits"] + g["misses"]
            ),
            rate_cell(
                section,
                group,
                "false_alarm_rate",
                g["real_people"],
                g["false_alarms"],
                g["false_alarms"] + g["correct_rejections"],
            ),
            mean_cell(section, group, "d_prime", d.d_prime, d.people),
        ]

    @classmethod
    def _summary(cls, campaign, round_, groups, patterns: Patterns) -> Table:
        section = f"{round_}:summary"
        total = defaultdict(int)
        by_language = {g["language"]: g for g in groups}
        for g in groups:
            for key, value in g.items():
                if key not in ("round", "language"):
                    total[key] += value or 0
        table = Table(
            _("%(round)s: overall and by language") % {"round": Round(round_).label},
            [str(label) for _key, label in SUMMARY_COLUMNS],
        )
        overall = Row(_("All languages"), cls._summary_row(section, "all", total, patterns))
        table.rows.append(overall)
        # The campaign's languages first, in its order; any other a visitor was given after.
        codes = list(campaign.languages) + sorted(set(by_language) - set(campaign.languages))
        for code in codes:
            g = defaultdict(int, {k: v or 0 for k, v in by_language.get(code, {}).items()})
            table.rows.append(
                Row(
                    language_name(code),
                    cls._summary_row(section, code, g, patterns.of_language(code)),
                    lang=code,
                )
            )
        cls._suppress_by_column(table, overall, keys=("participants", "finished"))
        # A completion rate gives its finished count away (rate times participants).
        for row in table.rows:
            if row.cells[1].hidden:
                row.cells[2].suppressed = True
        return table

    @staticmethod
    def _suppress_by_column(table: Table, total_row: Row, keys: tuple[str, ...]) -> None:
        parts_rows = [row for row in table.rows if row is not total_row]
        for index, key in enumerate(keys):
            assert total_row.cells[index].measure == key
            newly = suppress_complement(
                total_row.cells[index], [row.cells[index] for row in parts_rows]
            )
            if index == 0:
                # A group whose head count is hidden is hidden whole.
                for row in parts_rows:
                    if any(cell is row.cells[0] for cell in newly):
                        row.hide_all()

    @classmethod
    def _days(cls, round_: str, days: list[dict]) -> Table:
        section = f"{round_}:days"
        table = Table(
            _("%(round)s: participants by day") % {"round": Round(round_).label},
            [str(_("Participants")), str(_("Finished"))],
        )
        started = sum(d["started"] for d in days)
        done = sum(d["finished"] for d in days)
        total = Row(
            _("All days"),
            [
                Cell(section, "all", "participants", started, started),
                Cell(section, "all", "finished", done, done),
            ],
        )
        for d in days:
            group = d["day"].isoformat()
            table.rows.append(
                Row(
                    date_format(d["day"], "SHORT_DATE_FORMAT"),
                    [
                        Cell(section, group, "participants", d["started"], d["started"]),
                        Cell(section, group, "finished", d["finished"], d["finished"]),
                    ],
                )
            )
        table.rows.append(total)
        cls._suppress_by_column(table, total, keys=("participants", "finished"))
        return table

    @staticmethod
    def _items(round_: str, items: list[dict]) -> Table:
        section = f"{round_}:items"
        table = Table(
            _("%(round)s: by item") % {"round": Round(round_).label},
            [
                str(_("Answers")),
                str(_("Accuracy")),
                str(_("Called fake (hit rate for fakes, false-alarm rate for real clips)")),
            ],
            note_column=str(_("Truth")),
        )
        for item in items:
            group = f"item-{item['item_id']}"
            # One answer per participant per item: the answers are the item's participants.
            n = item["answers"]
            is_verdict = item["item__kind"] == ItemKind.VERDICT
            is_fake = item["item__clip__verdict"] != Verdict.REAL
            if is_verdict:
                truth = _("Fake") if is_fake else _("Real")
            else:
                truth = str(ItemKind(item["item__kind"]).label)
            called_fake = (
                rate_cell(
                    section,
                    group,
                    "hit_rate" if is_fake else "false_alarm_rate",
                    n,
                    item["said_fake"],
                    n,
                )
                if is_verdict
                else Cell(section, group, "called_fake", n, kind=RATE)
            )
            row = Row(
                item["item__clip__title"],
                [
                    Cell(section, group, "answers", n, n),
                    rate_cell(section, group, "accuracy", n, item["correct"], n),
                    called_fake,
                ],
                note=truth,
            )
            table.rows.append(row)
        return table

    @classmethod
    def _survey(cls, round_: str, answers: list[tuple]) -> Table:
        """`answers`: (before, after, people) for each pair of answers given (None: not
        answered)."""
        section = f"{round_}:survey"
        table = Table(
            _("%(round)s: how sure people were that they could spot a fake video")
            % {"round": Round(round_).label},
            [str(_("Before the quiz")), str(_("After the quiz"))],
        )
        sides = {"before": defaultdict(int), "after": defaultdict(int)}
        for before, after, people in answers:
            if before is not None:
                sides["before"][before] += people
            if after is not None:
                sides["after"][after] += people
        for value, label in SURVEY_SCALE:
            cells = [
                Cell(section, str(value), which, sides[which][value], sides[which][value])
                for which in ("before", "after")
            ]
            table.rows.append(Row(f"{value} · {label}", cells))
        totals = [
            Cell(section, f"answered-{which}", which, n, n)
            for which in ("before", "after")
            for n in [sum(sides[which].values())]
        ]
        for index in (0, 1):
            suppress_complement(totals[index], [row.cells[index] for row in table.rows])
        table.rows.append(Row(_("Answered"), totals))
        means = []
        for which in ("before", "after"):
            scale = np.array(list(sides[which]), dtype=float)
            people = np.array(list(sides[which].values()), dtype=float)
            means.append(mean_cell(section, "mean", which, scale, people))
        table.rows.append(Row(_("Mean (1 to 5)"), means))
        return table

    @staticmethod
    def _survey_change(round_: str, answers: list[tuple]) -> list[Cell]:
        both = [(b, a, n) for b, a, n in answers if b is not None and a is not None]
        change = np.array([a - b for b, a, _n in both], dtype=float)
        people = np.array([n for _b, _a, n in both], dtype=float)
        paired = int(people.sum())
        return [
            Cell(f"{round_}:survey", "paired", "participants", paired, paired),
            mean_cell(f"{round_}:survey", "paired", "change", change, people),
        ]

    @staticmethod
    def _booster(retests: list[tuple]) -> list[Cell]:
        """First round against retest, for the people who did both and could get a d' in
        each. `retests`: the first round's four counters, the retest's four, and how many
        people share them."""
        rows = np.array(retests, dtype=np.int64).reshape(-1, 9)
        first = participant_d_primes(*(rows[:, i] for i in range(4)))
        retest = participant_d_primes(*(rows[:, i] for i in range(4, 8)))
        both = ~np.isnan(first) & ~np.isnan(retest)
        people = np.where(both, rows[:, 8], 0)
        paired = int(people.sum())
        section = "booster:paired"
        return [
            Cell(section, "paired", "participants", paired, paired),
            mean_cell(section, "paired", "d_prime_first", first, people),
            mean_cell(section, "paired", "d_prime_retest", retest, people),
            mean_cell(section, "paired", "d_prime_change", retest - first, people),
        ]

    # --- the export ---

    def cells(self) -> list[Cell]:
        out = []
        for report in self.rounds:
            for table in report.tables:
                for row in table.rows:
                    out.extend(row.cells)
            out.extend(report.survey_change)
        out.extend(self.booster)
        return out

    def csv(self) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["section", "group", "measure", "value", "low", "high"])
        for cell in self.cells():
            writer.writerow(cell.csv_row())
        return buffer.getvalue()
