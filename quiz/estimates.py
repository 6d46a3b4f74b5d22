"""95 % intervals for the learner measures, and the one rule for printing their numbers.

Every figure a page or the CSV prints about a learner is an estimate from a few dozen answers at
most, so it comes with its interval (or, below `quiz.measures.MIN_CLIPS`, with no number at all):

- a hit or false-alarm rate k / n: the Wilson score interval (Wilson 1927), which stays inside
  0..1 and keeps its coverage near 95 % for small n and for rates near 0 or 1, where the textbook
  p ± 1.96·√(p(1 - p)/n) collapses to a width of zero;
- d' and c: the delta-method standard errors of Gourevitch & Galanter (1967), as given by
  Macmillan & Creelman (2005, ch. 13): var(z(p)) = p(1 - p) / (N · φ(z(p))²), so
  var(d') = var(z(H)) + var(z(F)) and var(c) = var(d') / 4, and the interval is ± 1.96 SE. The
  rates in it are the ones d' itself is computed from, after the 1/(2N) correction of extreme
  rates (Macmillan & Kaplan 1985), so a perfect score has a finite, non-zero SE;
- the rating-based ROC area: scikit-learn's `roc_auc_score` (ties count a half, as in the
  Mann-Whitney statistic it equals), with the variance of Hanley & McNeil (1982) turned into an
  interval the way Wilson's is for a rate (a "score" interval, after Newcombe 2006): the ends
  are the areas A for which (A_observed - A)^2 = 1.96^2 * V_HM(A), the variance worked out at A
  rather than at the observed area. Like Wilson's it stays inside 0..1 and is not squeezed to
  nothing at an area of 0 or 1 (4 fakes and 4 real clips all rated right give 0.58 to 1). In
  simulations of learners judging 4, 10 and 20 fakes and as many real clips, with true areas
  of 0.5, 0.7 and 0.85, it held the true area 94-97 % of the time; the plain A +/- 1.96 SE did
  72-95 %.

Numbers are printed through `display_number` (pages: the locale's decimal mark and a real minus
sign) or `plain_number` (the CSV: "." and "-"). Both round first and add 0.0, so no value ever
prints as "-0.00" or "-0.000" (Python keeps the sign of a rounded -0.0001).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from languages.numbers import percent_text

Z_95 = NormalDist().inv_cdf(0.975)  # 1.959964…


def _rounded(value: float, places: int) -> float:
    # `+ 0.0` turns -0.0 into 0.0: round(-0.0001, 2) is -0.0, which formats as "-0.00".
    return round(value, places) + 0.0


def display_number(value: float, places: int = 2) -> str:
    """A number for a page: rounded (number_format cuts floats off instead), the locale's
    decimal mark, and a real minus sign, which reads better than a hyphen. Never "-0.00"."""
    return number_format(_rounded(value, places), places).replace("-", "\u2212")


def plain_number(value: float | None, places: int = 3) -> str:
    """A number for the CSV: "." as decimal mark, "-" for minus, "" for None. Never "-0.000"."""
    return "" if value is None else f"{_rounded(value, places):.{places}f}"


def percent(value: float) -> int:
    # Half up, not Python's round-half-even: 62.5 % shows as 63 %, as people expect.
    return math.floor(100 * value + 0.5)


def duration_text(seconds: float) -> str:
    """How long an answer took, for a page: "4.2 s", "23 s", "2 min 5 s"."""
    if seconds < 10:
        return _("%(s)s s") % {"s": display_number(seconds, 1)}
    whole = math.floor(seconds + 0.5)
    if whole < 60:
        return _("%(s)d s") % {"s": whole}
    return _("%(m)d min %(s)d s") % {"m": whole // 60, "s": whole % 60}


@dataclass(frozen=True)
class Estimate:
    """A measure with its 95 % interval low..high."""

    value: float
    low: float
    high: float
    as_percent: bool = False  # rates print as whole percentages, the others to 2 places

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high

    def _text(self, number: float) -> str:
        if self.as_percent:
            return percent_text(100 * number)
        return display_number(number)

    @property
    def text(self) -> str:
        return self._text(self.value)

    @property
    def low_text(self) -> str:
        return self._text(self.low)

    @property
    def high_text(self) -> str:
        return self._text(self.high)

    @property
    def interval_text(self) -> str:
        return _("%(low)s to %(high)s") % {"low": self.low_text, "high": self.high_text}


def wilson(k: int, n: int) -> Estimate:
    """k / n with its Wilson score interval:
    (p + z²/2n ± z·√(p(1 - p)/n + z²/4n²)) / (1 + z²/n)."""
    if n <= 0:
        raise ValueError(n)
    p = k / n
    z2 = Z_95**2
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z_95 / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return Estimate(p, max(0.0, centre - half), min(1.0, centre + half), as_percent=True)


def corrected_rate(k: int, n: int) -> float:
    """k / n, with a rate of 0 counted as 1/(2N) and a rate of 1 as 1 - 1/(2N) (Macmillan &
    Kaplan 1985), so that z of a perfect (or null) score is finite."""
    if k == 0:
        return 1 / (2 * n)
    if k == n:
        return 1 - 1 / (2 * n)
    return k / n


def z_variance(k: int, n: int) -> float:
    """var(z(p)) = p(1 - p) / (N · φ(z(p))²), the delta method (Gourevitch & Galanter 1967)."""
    p = corrected_rate(k, n)
    density = NormalDist().pdf(NormalDist().inv_cdf(p))
    return p * (1 - p) / (n * density**2)


def d_prime_se(hits: int, fakes: int, false_alarms: int, reals: int) -> float:
    return math.sqrt(z_variance(hits, fakes) + z_variance(false_alarms, reals))


def normal_interval(
    value: float, se: float, low: float = -math.inf, high: float = math.inf
) -> Estimate:
    """value ± 1.96 SE, kept inside low..high."""
    return Estimate(value, max(low, value - Z_95 * se), min(high, value + Z_95 * se))


def hanley_mcneil_variance(area: float, n_fake: int, n_real: int) -> float:
    """The variance of a ROC area from n_fake signal and n_real noise ratings (Hanley &
    McNeil 1982): Q1 = A/(2 - A), Q2 = 2A^2/(1 + A),
    V = (A(1 - A) + (n_fake - 1)(Q1 - A^2) + (n_real - 1)(Q2 - A^2)) / (n_fake * n_real)."""
    a = area
    q1, q2 = a / (2 - a), 2 * a * a / (1 + a)
    variance = a * (1 - a) + (n_fake - 1) * (q1 - a * a) + (n_real - 1) * (q2 - a * a)
    return max(variance, 0.0) / (n_fake * n_real)


def _score_end(observed: float, outer: float, n_fake: int, n_real: int) -> float:
    """The area between `outer` (0 or 1) and `observed` where (observed - A)^2 meets
    1.96^2 * V(A), by bisection (the gap is positive at `outer`, where V is 0, and not
    positive at `observed`)."""
    if observed == outer:
        return outer

    def gap(a: float) -> float:
        return (observed - a) ** 2 - Z_95**2 * hanley_mcneil_variance(a, n_fake, n_real)

    inside, outside = observed, outer
    for _step in range(60):  # 2^-60: far below the 2 places shown
        middle = (inside + outside) / 2
        if gap(middle) > 0:
            outside = middle
        else:
            inside = middle
    return (inside + outside) / 2


def roc_area(fake_ratings: Sequence[float], real_ratings: Sequence[float]) -> Estimate:
    """The ROC area of ratings of how fake each clip looked, fakes against real clips: the
    chance that a random fake was rated faker than a random real clip (ties count a half),
    with its score interval (module docstring)."""
    # Imported here: scikit-learn (and SciPy behind it) takes a while to import, and only
    # the pages that show the measures need it, not every process that loads the quiz app.
    from sklearn.metrics import roc_auc_score

    n_fake, n_real = len(fake_ratings), len(real_ratings)
    truths = [1] * n_fake + [0] * n_real
    area = float(roc_auc_score(truths, [*fake_ratings, *real_ratings]))
    return Estimate(
        area,
        _score_end(area, 0.0, n_fake, n_real),
        _score_end(area, 1.0, n_fake, n_real),
    )
