"""The learning measures behind the results pages, computed from plain answer records.

Nothing here touches the database: `quiz.results` turns stored answers into `AnswerRecord`s and
these functions do the arithmetic, so every formula can be checked by hand in a test.

Signal detection on the real-or-fake (verdict) items treats "manipulated" as the signal:
a hit is a fake (deepfake or shallowfake) judged manipulated under either fake label, a false
alarm is a real clip judged manipulated. d' = z(H) - z(F) is skill apart from leaning and
c = -(z(H) + z(F)) / 2 is the leaning itself (below 0: calls clips fake too readily).
The ROC area uses the confidence too: each verdict answer becomes a rating of how fake the
learner thought the clip was, P(fake) = confidence / 100 when they said fake and
1 - confidence / 100 when they said real (so "50 % sure" is the same rating either way), and the
area is the chance that a fake got a higher rating than a real clip (Macmillan & Creelman, ch. 3:
sturdier than one d', which ignores how sure each answer was). Every one of these comes with a
95 % interval (quiz/estimates.py says which) or, below MIN_CLIPS, with no number at all.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from statistics import NormalDist, fmean, median

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from media_library.choices import TellCategory, Verdict
from quiz.estimates import (
    Estimate,
    corrected_rate,
    d_prime_se,
    display_number,
    duration_text,
    normal_interval,
    roc_area,
    wilson,
)

FAKE_TYPES = (Verdict.DEEPFAKE, Verdict.SHALLOWFAKE)
# What a learner says when calling a clip manipulated: a fake type, or a feed's plain "fake"
# (quiz.models.SaidVerdict.FAKE; this module sits below the models and cannot import them).
SAID_FAKE = (*FAKE_TYPES, "fake")
# Confidence is asked on a 50..100 scale (50 = a guess between two answers).
CONFIDENCE_BUCKETS = ((50, 59), (60, 69), (70, 79), (80, 89), (90, 100))
# Below this many fakes (or real clips) one answer moves a rate by more than 25 points, so the
# plain-words summary gives no percentage and no leaning, and no page or export shows the hit
# rate, the false-alarm rate, d', c or the ROC area with an interval (`Summary.measures_skill`,
# `Summary.hit_estimate` …): they say "not enough answers yet" instead. The one minimum for all
# of them, stated on every page that shows them.
MIN_CLIPS = 4
MIN_CONFIDENT_ANSWERS = 5
# |c| and |confidence - accuracy| under these are described as "no clear leaning" / "matches".
# They are teaching cut-offs, not statistical tests.
LEANING_THRESHOLD = 0.2
CALIBRATION_GAP_POINTS = 10
MIN_ITEM_ANSWERS = 5


@dataclass(frozen=True)
class AnswerRecord:
    """One stored answer, flattened to what the measures need."""

    attempt_id: int
    item_id: int
    kind: str  # "verdict" | "pair" | "spot_tell" | "technique"
    correct: bool
    confidence: int | None  # 50..100 (verdict and pair items), else None
    truth: str = ""  # verdict items: the clip's verdict "real" | "deepfake" | "shallowfake"
    said: str = ""  # verdict items: the learner's verdict
    tell_categories: tuple[str, ...] = ()  # TellCategory values marked on the item's clip(s)
    seconds: float | None = None  # time spent on the item


@dataclass(frozen=True)
class Rate:
    """k out of n; `value` = k / n, None when n == 0 rather than a made-up 0."""

    k: int
    n: int

    @property
    def value(self) -> float | None:
        return self.k / self.n if self.n else None

    @property
    def percent(self) -> int | None:
        # Half up, not Python's round-half-even: 62.5 % shows as 63 %, as people expect.
        return math.floor(100 * self.k / self.n + 0.5) if self.n else None

    @classmethod
    def of(cls, outcomes: Iterable[bool]) -> Rate:
        outcomes = list(outcomes)
        return cls(sum(outcomes), len(outcomes))


@dataclass(frozen=True)
class CalibrationBucket:
    """Answers whose confidence fell in low..high (inclusive)."""

    low: int
    high: int
    rate: Rate  # k right out of n answers in the bucket
    mean_confidence: float | None

    @property
    def n(self) -> int:
        return self.rate.n

    @property
    def accuracy(self) -> float | None:
        return self.rate.value


@dataclass(frozen=True)
class TellRow:
    category: str
    label: str
    rate: Rate


@dataclass(frozen=True)
class Summary:
    """Everything the results page shows about a set of answers."""

    n: int
    accuracy: Rate
    hit_rate: Rate  # fakes judged manipulated / fakes (verdict items)
    hit_rates: Mapping[str, Rate]  # the same per fake type: "deepfake", "shallowfake"
    false_alarm_rate: Rate  # real clips judged manipulated / real clips
    d_prime: float | None
    criterion: float | None
    calibration: tuple[CalibrationBucket, ...]
    confident: Rate  # accuracy over the answers that carry a confidence
    mean_confidence: float | None  # over the same answers, 50..100
    brier: float | None
    per_tell: Mapping[str, Rate] = field(default_factory=dict)
    mean_seconds: float | None = None
    median_seconds: float | None = None
    # The rating-based ROC area over verdict answers with a confidence, None below MIN_CLIPS
    # rated fakes or rated real clips; rated_fakes / rated_reals count those answers.
    roc_area: Estimate | None = None
    rated_fakes: int = 0
    rated_reals: int = 0

    @property
    def correct(self) -> int:
        return self.accuracy.k

    @property
    def measures_skill(self) -> bool:
        """Whether there are enough verdict answers for d' and c to mean something: at least
        MIN_CLIPS fakes and MIN_CLIPS real clips judged. Below that, one answer swings d' by
        more than 0.5, so the pages and the export show no number rather than a made-up one."""
        return (
            self.d_prime is not None
            and self.hit_rate.n >= MIN_CLIPS
            and self.false_alarm_rate.n >= MIN_CLIPS
        )

    @property
    def min_clips(self) -> int:
        return MIN_CLIPS

    @property
    def hit_estimate(self) -> Estimate | None:
        """The hit rate with its Wilson interval, from MIN_CLIPS fakes judged."""
        return _rate_estimate(self.hit_rate)

    @property
    def false_alarm_estimate(self) -> Estimate | None:
        return _rate_estimate(self.false_alarm_rate)

    def _d_prime_se(self) -> float:
        hits, fas = self.hit_rate, self.false_alarm_rate
        return d_prime_se(hits.k, hits.n, fas.k, fas.n)

    @property
    def d_prime_estimate(self) -> Estimate | None:
        """d' ± 1.96 SE (delta method), when `measures_skill`."""
        if not self.measures_skill:
            return None
        return normal_interval(self.d_prime, self._d_prime_se())

    @property
    def criterion_estimate(self) -> Estimate | None:
        """c ± 1.96 SE, SE(c) = SE(d') / 2, when `measures_skill`."""
        if not self.measures_skill:
            return None
        return normal_interval(self.criterion, self._d_prime_se() / 2)

    @property
    def median_seconds_text(self) -> str:
        return "" if self.median_seconds is None else duration_text(self.median_seconds)

    @property
    def per_tell_rows(self) -> list[TellRow]:
        """per_tell in the TellCategory order, with translated labels."""
        order = {value: i for i, value in enumerate(TellCategory.values)}
        labels = dict(TellCategory.choices)
        return [
            TellRow(category, str(labels.get(category, category)), rate)
            for category, rate in sorted(
                self.per_tell.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0])
            )
        ]

    def in_plain_words(self) -> list[str]:
        """Short sentences a teenager can read; no number is given that the sample can't carry."""
        if not self.n:
            return []
        return [*self._detection_words(), *self._calibration_words()]

    def _detection_words(self) -> list[str]:
        fakes, reals = self.hit_rate, self.false_alarm_rate
        if not fakes.n and not reals.n:
            return [_("There were no real-or-fake questions, so there is no fake-catching score.")]
        words = []
        if self.measures_skill:
            numbers = {"hit": fakes.percent, "fa": reals.percent}
            if reals.k:
                words.append(
                    _(
                        "You catch %(hit)d %% of fakes, but you also call %(fa)d %% of real "
                        "clips fake."
                    )
                    % numbers
                )
            else:
                words.append(
                    _("You catch %(hit)d %% of fakes and you called no real clip fake.") % numbers
                )
            words += [self._leaning_words(), self._skill_words()]
            return words
        if fakes.n >= MIN_CLIPS:
            words.append(_("You catch %(hit)d %% of fakes.") % {"hit": fakes.percent})
        elif fakes.n:
            words.append(
                ngettext(
                    "You caught %(k)d of %(n)d fake: too few to say how many fakes you catch.",
                    "You caught %(k)d of %(n)d fakes: too few to say how many fakes you catch.",
                    fakes.n,
                )
                % {"k": fakes.k, "n": fakes.n}
            )
        else:
            words.append(_("There were no fakes, so we cannot say how many fakes you catch."))
        if reals.n >= MIN_CLIPS:
            words.append(_("You call %(fa)d %% of real clips fake.") % {"fa": reals.percent})
        elif reals.n:
            words.append(
                ngettext(
                    "There was only %(n)d real clip: too few real clips to measure false alarms.",
                    "There were only %(n)d real clips: too few real clips to measure false alarms.",
                    reals.n,
                )
                % {"n": reals.n}
            )
        else:
            words.append(_("There were no real clips, so we cannot measure false alarms."))
        return words

    def _leaning_words(self) -> str:
        c = _signed(self.criterion)
        if abs(self.criterion) > LEANING_THRESHOLD and self.criterion_estimate.contains(0):
            # Past the teaching cut-off, but the interval reaches 0: no leaning is shown yet.
            if self.criterion < 0:
                text = _(
                    "You may lean towards calling clips fake (criterion c = %(c)s), but with "
                    "this few answers that could be chance."
                )
            else:
                text = _(
                    "You may lean towards trusting clips (criterion c = %(c)s), but with this "
                    "few answers that could be chance."
                )
            return text % {"c": c}
        if self.criterion < -LEANING_THRESHOLD:
            return _("You lean towards calling clips fake (criterion c = %(c)s).") % {"c": c}
        if self.criterion > LEANING_THRESHOLD:
            return _("You lean towards trusting clips (criterion c = %(c)s).") % {"c": c}
        return _("You lean neither way (criterion c = %(c)s).") % {"c": c}

    def _skill_words(self) -> str:
        estimate = self.d_prime_estimate
        numbers = {"d": estimate.text, "low": estimate.low_text, "high": estimate.high_text}
        if estimate.contains(0):
            # A pure guesser's d' is often far from 0 on 20 answers; say so rather than
            # present it as their skill.
            return (
                _(
                    "Apart from that leaning, your skill at telling fakes from real clips is "
                    "d′ = %(d)s, but with this few answers it could be anywhere from %(low)s "
                    "to %(high)s, so it cannot yet be told apart from guessing (0 is guessing, "
                    "2 is excellent)."
                )
                % numbers
            )
        return (
            _(
                "Apart from that leaning, your skill at telling fakes from real clips is "
                "d′ = %(d)s (95 %% interval %(low)s to %(high)s; 0 is guessing, "
                "2 is excellent)."
            )
            % numbers
        )

    def _calibration_words(self) -> list[str]:
        if not self.confident.n:
            return []
        if self.confident.n < MIN_CONFIDENT_ANSWERS:
            return [_("Too few answers with a confidence to say whether you are over-confident.")]
        numbers = {"sure": round(self.mean_confidence), "right": self.confident.percent}
        gap = self.mean_confidence - 100 * self.confident.value
        if gap > CALIBRATION_GAP_POINTS:
            text = _(
                "You were %(sure)d %% sure on average but right %(right)d %% of the time: "
                "you are over-confident."
            )
        elif gap < -CALIBRATION_GAP_POINTS:
            text = _(
                "You were %(sure)d %% sure on average but right %(right)d %% of the time: "
                "you are under-confident, so trust yourself more."
            )
        else:
            text = _(
                "You were %(sure)d %% sure on average and right %(right)d %% of the time: "
                "your confidence matches your accuracy."
            )
        return [text % numbers]


def _signed(value: float) -> str:
    # The one formatting rule (quiz.estimates): rounded, locale's decimal mark, never "-0.00".
    return display_number(value, 2)


def _rate_estimate(rate: Rate) -> Estimate | None:
    return wilson(rate.k, rate.n) if rate.n >= MIN_CLIPS else None


def _z(rate: Rate) -> float:
    """z of a rate, with the 1/(2N) correction of Macmillan & Kaplan (1985): a rate of 0 counts
    as 1/(2N) and a rate of 1 as 1 - 1/(2N), so a perfect (or null) score gives a finite z."""
    return NormalDist().inv_cdf(corrected_rate(rate.k, rate.n))


def fakeness(record: AnswerRecord) -> float:
    """How fake the learner thought the clip was, 0..1, from their verdict and confidence."""
    sure = record.confidence / 100
    return sure if _is_manipulated(record.said) else 1 - sure


def _is_manipulated(verdict: str) -> bool:
    return verdict in SAID_FAKE


def summarise(records: Sequence[AnswerRecord]) -> Summary:
    """The measures over a set of answers.

    accuracy = right / answers (all kinds). From verdict items only: H = fakes judged fake /
    fakes, F = reals judged fake / reals, d' = z(H) - z(F), c = -(z(H) + z(F)) / 2 (None without
    fakes or without reals). Over answers with a confidence: buckets of 10 points with their n,
    mean confidence and accuracy, and Brier = mean((confidence / 100 - correct)²).
    per_tell[category] = accuracy over answers whose clip(s) carry a tell of that category.
    roc_area = the ROC area of `fakeness` ratings, fakes against real clips, from MIN_CLIPS of
    each with a confidence. mean_seconds / median_seconds: of the time taken per answer.
    """
    verdicts = [r for r in records if r.kind == "verdict" and r.truth]
    fakes = [r for r in verdicts if _is_manipulated(r.truth)]
    reals = [r for r in verdicts if r.truth == Verdict.REAL]
    hit_rate = Rate.of(_is_manipulated(r.said) for r in fakes)
    false_alarm_rate = Rate.of(_is_manipulated(r.said) for r in reals)
    d_prime = criterion = None
    if hit_rate.n and false_alarm_rate.n:
        z_hit, z_fa = _z(hit_rate), _z(false_alarm_rate)
        d_prime = z_hit - z_fa
        criterion = -(z_hit + z_fa) / 2

    confident = [r for r in records if r.confidence is not None]
    per_tell: dict[str, list[bool]] = defaultdict(list)
    for record in records:
        for category in set(record.tell_categories):
            per_tell[category].append(record.correct)
    seconds = [r.seconds for r in records if r.seconds is not None]
    fake_ratings = [fakeness(r) for r in fakes if r.confidence is not None]
    real_ratings = [fakeness(r) for r in reals if r.confidence is not None]
    roc = None
    if len(fake_ratings) >= MIN_CLIPS and len(real_ratings) >= MIN_CLIPS:
        roc = roc_area(fake_ratings, real_ratings)

    return Summary(
        n=len(records),
        accuracy=Rate.of(r.correct for r in records),
        hit_rate=hit_rate,
        hit_rates={
            str(kind): Rate.of(_is_manipulated(r.said) for r in fakes if r.truth == kind)
            for kind in FAKE_TYPES
        },
        false_alarm_rate=false_alarm_rate,
        d_prime=d_prime,
        criterion=criterion,
        calibration=_calibration(confident),
        confident=Rate.of(r.correct for r in confident),
        mean_confidence=fmean(r.confidence for r in confident) if confident else None,
        brier=fmean((r.confidence / 100 - r.correct) ** 2 for r in confident)
        if confident
        else None,
        per_tell={category: Rate.of(outcomes) for category, outcomes in per_tell.items()},
        mean_seconds=fmean(seconds) if seconds else None,
        median_seconds=median(seconds) if seconds else None,
        roc_area=roc,
        rated_fakes=len(fake_ratings),
        rated_reals=len(real_ratings),
    )


def _calibration(records: list[AnswerRecord]) -> tuple[CalibrationBucket, ...]:
    grouped: list[list[AnswerRecord]] = [[] for _bucket in CONFIDENCE_BUCKETS]
    for record in records:
        # 100 belongs to the top bucket; anything outside 50..100 goes to the nearest end.
        grouped[min(max((record.confidence - 50) // 10, 0), len(CONFIDENCE_BUCKETS) - 1)].append(
            record
        )
    return tuple(
        CalibrationBucket(
            low=low,
            high=high,
            rate=Rate.of(r.correct for r in inside),
            mean_confidence=fmean(r.confidence for r in inside) if inside else None,
        )
        for (low, high), inside in zip(CONFIDENCE_BUCKETS, grouped, strict=True)
    )


class ItemFlag(models.TextChoices):
    """What a curator should look at on an item, from how learners answered it."""

    EVERYONE_RIGHT = "everyone_right", gettext_lazy("Everyone right: it tells nobody apart")
    EVERYONE_WRONG = "everyone_wrong", gettext_lazy("Everyone wrong: check the answer key")
    NEGATIVE_DISCRIMINATION = (
        "negative_discrimination",
        gettext_lazy("Negative discrimination: learners who do well elsewhere miss it more"),
    )


@dataclass(frozen=True)
class ItemStats:
    item_id: int
    accuracy: Rate  # its value is the difficulty index p
    mean_confidence: float | None
    discrimination: float | None
    flags: tuple[ItemFlag, ...]

    @property
    def answers(self) -> int:
        return self.accuracy.n

    @property
    def p(self) -> float | None:
        return self.accuracy.value


def point_biserial(correct: Sequence[bool], scores: Sequence[float]) -> float | None:
    """r_pb = (M1 - M0) / s · √(p·q): M1, M0 the mean score of those right / wrong, s the
    population SD of all scores, p the share right and q = 1 - p (equal to Pearson's r with
    correctness as 0/1). None with fewer than MIN_ITEM_ANSWERS pairs or no variance."""
    return point_biserial_of_counts(Counter(zip(correct, scores, strict=True)))


def point_biserial_of_counts(pairs: Mapping[tuple[bool, float], int]) -> float | None:
    """point_biserial over (correct, score) pairs given with how often each occurs, which is
    what the database's grouped counts hand over (no list of every answer is built). Exact
    arithmetic, rounded exactly where statistics.fmean and pstdev round on a list, so the float
    is the one the list would give: every float is an integer over a power of two, so over the
    largest of those powers every sum is an exact integer."""
    n = sum(pairs.values())
    if n < MIN_ITEM_ANSWERS:
        return None
    right = sum(count for (correct, _score), count in pairs.items() if correct)
    if not right or right == n:
        return None
    ratios = {score: score.as_integer_ratio() for _correct, score in pairs}
    scale = max(denominator for _numerator, denominator in ratios.values())
    scaled = {score: num * (scale // den) for score, (num, den) in ratios.items()}
    total = sum(count * scaled[score] for (_correct, score), count in pairs.items())
    squares = sum(count * scaled[score] ** 2 for (_correct, score), count in pairs.items())
    # pvariance = (n·Σx² - (Σx)²) / n², over scale².
    variance = n * squares - total * total
    if not variance:
        return None
    right_total = sum(count * scaled[score] for (correct, score), count in pairs.items() if correct)
    # fmean: the correctly rounded sum (an integer over `scale`: true division rounds once),
    # divided by the count.
    mean_right = right_total / scale / right
    mean_wrong = (total - right_total) / scale / (n - right)
    p = right / n
    spread = _sqrt_of_ratio(variance, n * n * scale * scale)
    return (mean_right - mean_wrong) / spread * math.sqrt(p * (1 - p))


def _sqrt_of_ratio(n: int, m: int) -> float:
    """√(n/m) correctly rounded, as statistics.pstdev rounds the root of its exact variance
    (the standard library's _float_sqrt_of_frac: an integer root rounded to odd, then one
    rounding to float)."""
    q = (n.bit_length() - m.bit_length() - 109) // 2
    if q >= 0:
        m <<= 2 * q
    else:
        n <<= -2 * q
    root = math.isqrt(n // m)
    root |= root * root * m != n
    return (root << q) / 1 if q >= 0 else root / (1 << -q)


@dataclass(frozen=True)
class AnswerGroup:
    """Answers to one item that share their correctness and their attempt's totals (how many
    answers the attempt holds, how many of them right): all item_statistics needs of them, so
    the database can hand over one row per group instead of every answer."""

    item_id: int
    attempt_answers: int
    attempt_right: int
    correct: bool
    answers: int
    confident_answers: int = 0
    confidence_sum: int = 0

    @property
    def rest_score(self) -> float | None:
        """The proportion right on the attempt's other items; None when it has no other."""
        others = self.attempt_answers - 1
        return (self.attempt_right - self.correct) / others if others else None


def answer_groups(records: Sequence[AnswerRecord]) -> list[AnswerGroup]:
    by_attempt: dict[int, list[AnswerRecord]] = defaultdict(list)
    for record in records:
        by_attempt[record.attempt_id].append(record)
    groups: dict[tuple[int, int, int, bool], list[int]] = defaultdict(lambda: [0, 0, 0])
    for answers in by_attempt.values():
        right = sum(r.correct for r in answers)
        for r in answers:
            counts = groups[r.item_id, len(answers), right, r.correct]
            counts[0] += 1
            if r.confidence is not None:
                counts[1] += 1
                counts[2] += r.confidence
    return [AnswerGroup(*key, *counts) for key, counts in groups.items()]


def item_statistics(records: Sequence[AnswerRecord]) -> dict[int, ItemStats]:
    """Per item: p = proportion right, mean confidence, and discrimination = point-biserial r
    between being right on the item and the attempt's rest score (proportion right on the
    attempt's OTHER items; an attempt with no other item gives no pair)."""
    return item_statistics_of_groups(answer_groups(records))


def item_statistics_of_groups(groups: Iterable[AnswerGroup]) -> dict[int, ItemStats]:
    """item_statistics over answers already grouped (`AnswerGroup`), by Python or by the
    database."""
    by_item: dict[int, list[AnswerGroup]] = defaultdict(list)
    for group in groups:
        by_item[group.item_id].append(group)

    stats = {}
    for item_id, answers in by_item.items():
        pairs: Counter[tuple[bool, float]] = Counter()
        for group in answers:
            if (score := group.rest_score) is not None:
                pairs[group.correct, score] += group.answers
        accuracy = Rate(
            sum(g.answers for g in answers if g.correct), sum(g.answers for g in answers)
        )
        discrimination = point_biserial_of_counts(pairs)
        flags = []
        if accuracy.n >= MIN_ITEM_ANSWERS and accuracy.k == accuracy.n:
            flags.append(ItemFlag.EVERYONE_RIGHT)
        if accuracy.n >= MIN_ITEM_ANSWERS and accuracy.k == 0:
            flags.append(ItemFlag.EVERYONE_WRONG)
        if discrimination is not None and discrimination < 0:
            flags.append(ItemFlag.NEGATIVE_DISCRIMINATION)
        confident = sum(g.confident_answers for g in answers)
        stats[item_id] = ItemStats(
            item_id=item_id,
            accuracy=accuracy,
            # fmean of the confidences: their (exact) sum as a float, over their count.
            mean_confidence=float(sum(g.confidence_sum for g in answers)) / confident
            if confident
            else None,
            discrimination=discrimination,
            flags=tuple(flags),
        )
    return stats
