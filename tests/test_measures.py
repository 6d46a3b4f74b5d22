"""The learning measures, checked against numbers worked out by hand in the comments (those of
FIXTURE, one attempt of twelve answers, are beside it in tests/factories.py)."""

from __future__ import annotations

import random

from django.test import SimpleTestCase

from quiz.estimates import (
    Z_95,
    display_number,
    duration_text,
    hanley_mcneil_variance,
    plain_number,
    wilson,
)
from quiz.measures import (
    MIN_CLIPS,
    AnswerRecord,
    ItemFlag,
    Rate,
    item_statistics,
    point_biserial,
    summarise,
)
from tests.factories import FIXTURE, verdict


class RateTests(SimpleTestCase):
    def test_it_has_no_value_without_answers(self):
        self.assertIsNone(Rate(0, 0).value)
        self.assertIsNone(Rate(0, 0).percent)

    def test_it_rounds_percentages_half_up(self):
        self.assertEqual(Rate(5, 8).percent, 63)  # 62.5 %
        self.assertEqual(Rate(1, 3).percent, 33)


class SummaryTests(SimpleTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.summary = summarise(FIXTURE)

    def test_it_counts_accuracy_over_all_kinds(self):
        self.assertEqual((self.summary.n, self.summary.correct), (12, 7))
        self.assertAlmostEqual(self.summary.accuracy.value, 7 / 12, places=4)

    def test_it_counts_a_fake_under_the_wrong_fake_label_as_a_hit(self):
        self.assertEqual(self.summary.hit_rate, Rate(3, 4))
        self.assertEqual(self.summary.hit_rates["deepfake"], Rate(2, 2))
        self.assertEqual(self.summary.hit_rates["shallowfake"], Rate(1, 2))
        self.assertEqual(self.summary.false_alarm_rate, Rate(2, 5))

    def test_it_computes_d_prime_and_criterion(self):
        self.assertAlmostEqual(self.summary.d_prime, 0.9278, places=4)
        self.assertAlmostEqual(self.summary.criterion, -0.2106, places=4)

    def test_it_corrects_perfect_and_null_rates(self):
        # 4 of 4 fakes caught: H = 1 becomes 1 - 1/(2*4) = .875, z = 1.1503.
        # 0 of 5 reals called fake: F = 0 becomes 1/(2*5) = .1, z = -1.2816.
        # d' = 1.1503 + 1.2816 = 2.4319; c = -(1.1503 - 1.2816) / 2 = 0.0656.
        records = [verdict(i, "deepfake", "deepfake", 80) for i in range(4)]
        records += [verdict(10 + i, "real", "real", 80) for i in range(5)]
        summary = summarise(records)
        self.assertAlmostEqual(summary.d_prime, 2.4319, places=4)
        self.assertAlmostEqual(summary.criterion, 0.0656, places=4)

    def test_it_gives_no_d_prime_without_real_clips(self):
        summary = summarise([verdict(1, "deepfake", "deepfake", 80)])
        self.assertIsNone(summary.d_prime)
        self.assertIsNone(summary.criterion)
        self.assertEqual(summary.false_alarm_rate, Rate(0, 0))

    def test_it_computes_the_brier_score(self):
        # (confidence/100 - right)^2 over the ten answers with a confidence:
        # .01 + .36 + .04 + .49 + .25 + 0 + .0025 + .7225 + .3025 + .0625 = 2.24 → 2.24 / 10.
        self.assertAlmostEqual(self.summary.brier, 0.224, places=4)
        self.assertEqual(self.summary.confident, Rate(6, 10))
        self.assertAlmostEqual(self.summary.mean_confidence, 76.0, places=4)  # 760 / 10

    def test_it_buckets_confidence(self):
        # 50-59: 50 ✓, 55 ✗ | 60-69: 60 ✗ | 70-79: 70 ✗, 75 ✓ | 80-89: 80 ✓, 85 ✗ |
        # 90-100: 90 ✓, 95 ✓, 100 ✓
        expected = [
            (50, 59, 2, 52.5, 0.5),
            (60, 69, 1, 60.0, 0.0),
            (70, 79, 2, 72.5, 0.5),
            (80, 89, 2, 82.5, 0.5),
            (90, 100, 3, 95.0, 1.0),
        ]
        for bucket, (low, high, n, mean, accuracy) in zip(
            self.summary.calibration, expected, strict=True
        ):
            self.assertEqual((bucket.low, bucket.high, bucket.n), (low, high, n))
            self.assertAlmostEqual(bucket.mean_confidence, mean, places=4)
            self.assertAlmostEqual(bucket.accuracy, accuracy, places=4)

    def test_it_counts_an_answer_for_every_tell_on_its_clip(self):
        # blinking: items 1 ✓, 10 ✓, 11 ✗; lip_sync: 2 ✗, 10 ✓.
        self.assertEqual(
            self.summary.per_tell,
            {
                "blinking": Rate(2, 3),
                "lip_sync": Rate(1, 2),
                "speed_change": Rate(1, 1),
                "cut_splice": Rate(0, 1),
            },
        )
        rows = self.summary.per_tell_rows
        self.assertEqual([row.label for row in rows][:2], ["Blinking", "Lip sync"])

    def test_it_averages_the_time_taken(self):
        self.assertAlmostEqual(self.summary.mean_seconds, 20.0, places=4)

    def test_it_summarises_nothing_as_nothing(self):
        summary = summarise([])
        self.assertEqual(summary.n, 0)
        self.assertIsNone(summary.accuracy.value)
        self.assertIsNone(summary.brier)
        self.assertEqual(summary.in_plain_words(), [])


class PlainWordsTests(SimpleTestCase):
    def test_it_explains_the_result(self):
        words = summarise(FIXTURE).in_plain_words()
        self.assertEqual(
            words,
            [
                "You catch 75 % of fakes, but you also call 40 % of real clips fake.",
                # c = -0.21 is past the 0.2 cut-off, but its interval (-1.08 to 0.66) holds 0.
                "You may lean towards calling clips fake (criterion c = \u22120.21), but with "
                "this few answers that could be chance.",
                "Apart from that leaning, your skill at telling fakes from real clips is "
                "d\u2032 = 0.93, but with this few answers it could be anywhere from \u22120.81 "
                "to 2.67, so it cannot yet be told apart from guessing (0 is guessing, "
                "2 is excellent).",
                "You were 76 % sure on average but right 60 % of the time: you are over-confident.",
            ],
        )

    def test_it_says_when_there_are_too_few_clips(self):
        # Two fakes and no real clip: no percentage, no leaning, no d'.
        records = [verdict(1, "deepfake", "deepfake", 90), verdict(2, "deepfake", "real", 90)]
        words = summarise(records).in_plain_words()
        self.assertIn("You caught 1 of 2 fakes: too few to say how many fakes you catch.", words)
        self.assertIn("There were no real clips, so we cannot measure false alarms.", words)
        self.assertIn(
            "Too few answers with a confidence to say whether you are over-confident.", words
        )
        self.assertFalse([w for w in words if "criterion" in w or "%" in w])

    def test_it_says_when_there_are_too_few_real_clips(self):
        records = [verdict(i, "deepfake", "deepfake", 60) for i in range(4)]
        records += [verdict(10, "real", "real", 60)]
        words = summarise(records).in_plain_words()
        self.assertIn("You catch 100 % of fakes.", words)
        self.assertIn(
            "There was only 1 real clip: too few real clips to measure false alarms.", words
        )

    def test_it_calls_modest_learners_under_confident(self):
        # 5 answers at 60 % sure, all right: 40 points under.
        records = [verdict(i, "real", "real", 60) for i in range(5)]
        words = summarise(records).in_plain_words()
        self.assertIn(
            "You were 60 % sure on average but right 100 % of the time: "
            "you are under-confident, so trust yourself more.",
            words,
        )

    def test_it_sees_no_leaning_in_a_balanced_learner(self):
        # H = 3/4, F = 1/4: z(.75) + z(.25) = 0, so c = 0 and there is no leaning.
        records = [verdict(i, "deepfake", "deepfake", 75) for i in range(3)]
        records += [verdict(3, "deepfake", "real", 75)]
        records += [verdict(10 + i, "real", "real", 75) for i in range(3)]
        records += [verdict(13, "real", "deepfake", 75)]
        words = summarise(records).in_plain_words()
        self.assertIn("You lean neither way (criterion c = 0.00).", words)
        self.assertIn(
            "You were 75 % sure on average and right 75 % of the time: "
            "your confidence matches your accuracy.",
            words,
        )


class IntervalTests(SimpleTestCase):
    def test_it_gives_a_rate_its_wilson_interval(self):
        # 3 of 4, z = 1.96: z^2/n = .9604, centre = (.75 + .4802) / 1.9604 = .62753,
        # half = 1.96 / 1.9604 * sqrt(.75 * .25 / 4 + 3.8416 / 64) = .9998 * .32696 = .32689.
        estimate = wilson(3, 4)
        self.assertAlmostEqual(estimate.low, 0.3006, places=3)
        self.assertAlmostEqual(estimate.high, 0.9544, places=3)
        self.assertEqual(estimate.interval_text, "30 % to 95 %")
        # 0 of 5: centre = .38416 / 1.76832 = .21725 = half, so 0 to .4345 (never below 0).
        self.assertEqual(wilson(0, 5).low, 0.0)
        self.assertAlmostEqual(wilson(0, 5).high, 0.4345, places=3)

    def test_it_gives_d_prime_and_c_their_delta_method_intervals(self):
        # FIXTURE: H = 3/4, F = 2/5. var z(H) = .75 * .25 / (4 * phi(.6745)^2)
        # = .1875 / (4 * .31778^2) = .46418; var z(F) = .24 / (5 * phi(-.2533)^2)
        # = .24 / (5 * .38634^2) = .32159. SE(d') = sqrt(.78577) = .88644, SE(c) = .44322.
        summary = summarise(FIXTURE)
        d, c = summary.d_prime_estimate, summary.criterion_estimate
        self.assertAlmostEqual(d.low, 0.9278 - 1.96 * 0.88644, places=3)  # -0.8096
        self.assertAlmostEqual(d.high, 0.9278 + 1.96 * 0.88644, places=3)  # 2.6653
        self.assertAlmostEqual(c.low, -0.2106 - 1.96 * 0.44322, places=3)
        self.assertAlmostEqual(c.high, -0.2106 + 1.96 * 0.44322, places=3)
        self.assertEqual(d.interval_text, "\u22120.81 to 2.67")
        self.assertAlmostEqual(summary.hit_estimate.low, 0.3006, places=3)
        self.assertAlmostEqual(summary.false_alarm_estimate.high, wilson(2, 5).high)

    def test_a_perfect_score_keeps_a_real_interval(self):
        # H = 1 - 1/8 = .875 and F = 1/10 after the correction, so the SE is not 0:
        # var z(H) = .875 * .125 / (4 * phi(1.1503)^2) = .10938 / (4 * .20585^2) = .64527,
        # var z(F) = .09 / (5 * phi(-1.2816)^2) = .09 / (5 * .17550^2) = .58442; SE = 1.10892.
        records = [verdict(i, "deepfake", "deepfake", 80) for i in range(4)]
        records += [verdict(10 + i, "real", "real", 80) for i in range(5)]
        d = summarise(records).d_prime_estimate
        self.assertAlmostEqual(d.high - d.value, 1.96 * 1.10892, places=3)

    def test_it_shows_no_estimate_below_the_minimum(self):
        records = [verdict(i, "deepfake", "deepfake", 80) for i in range(MIN_CLIPS)]
        records += [verdict(10 + i, "real", "real", 80) for i in range(MIN_CLIPS - 1)]
        summary = summarise(records)
        self.assertIsNotNone(summary.hit_estimate)
        for estimate in ("false_alarm_estimate", "d_prime_estimate", "criterion_estimate"):
            with self.subTest(estimate=estimate):
                self.assertIsNone(getattr(summary, estimate))
        self.assertIsNone(summary.roc_area)
        self.assertEqual((summary.rated_fakes, summary.rated_reals), (4, 3))

    def test_a_pure_guessers_twenty_answers_cannot_be_told_from_guessing(self):
        # The issue's case: a guesser told "your skill is d' = -1.09". 3 of 10 fakes and
        # 7 of 10 real clips called fake: d' = z(.3) - z(.7) = -1.0488; var z = .21 / (10 *
        # phi(.5244)^2) = .17371 each, SE = .58942, so the interval is -2.20 to 0.11.
        records = [verdict(i, "deepfake", "deepfake" if i < 3 else "real", 70) for i in range(10)]
        records += [verdict(10 + i, "real", "deepfake" if i < 7 else "real", 70) for i in range(10)]
        summary = summarise(records)
        d = summary.d_prime_estimate
        self.assertAlmostEqual(d.value, -1.0488, places=4)
        self.assertAlmostEqual(d.low, -1.0488 - 1.96 * 0.58942, places=3)
        self.assertTrue(d.contains(0))
        self.assertIn(
            "Apart from that leaning, your skill at telling fakes from real clips is "
            "d\u2032 = \u22121.05, but with this few answers it could be anywhere from "
            "\u22122.20 to 0.11, so it cannot yet be told apart from guessing (0 is guessing, "
            "2 is excellent).",
            summary.in_plain_words(),
        )

    def test_guessers_intervals_hold_zero_about_95_percent_of_the_time(self):
        # 300 pure guessers (a fixed seed), each judging 10 fakes and 10 real clips at a random
        # confidence: a 95 % interval must hold the true d' = 0 and ROC area 0.5 about 95 %
        # of the time. Without intervals, half of them would be shown |d'| of 0.5 or more.
        rng = random.Random(20261203)
        guessers = 300
        held_d = held_area = far = 0
        for _guesser in range(guessers):
            records = [
                verdict(
                    i,
                    "deepfake" if i < 10 else "real",
                    rng.choice(["deepfake", "real"]),
                    rng.choice(range(50, 101, 5)),
                )
                for i in range(20)
            ]
            summary = summarise(records)
            held_d += summary.d_prime_estimate.contains(0)
            held_area += summary.roc_area.contains(0.5)
            far += abs(summary.d_prime) >= 0.5
        self.assertGreater(far / guessers, 0.3)
        self.assertGreater(held_d / guessers, 0.92)
        self.assertGreater(held_area / guessers, 0.92)
        self.assertLess(held_d / guessers, 0.99)

    def test_it_never_prints_a_negative_zero(self):
        self.assertEqual(display_number(-0.0001), "0.00")
        self.assertEqual(display_number(-0.004, 2), "0.00")
        self.assertEqual(display_number(-1.5), "\u22121.50")
        self.assertEqual(plain_number(-0.0004), "0.000")
        self.assertEqual(plain_number(-0.25, 2), "-0.25")
        self.assertEqual(plain_number(None), "")
        # c of H = F = .5 is -(0 + 0) / 2 = -0.0.
        records = [verdict(i, "deepfake", "deepfake" if i % 2 else "real", 70) for i in range(4)]
        records += [verdict(10 + i, "real", "deepfake" if i % 2 else "real", 70) for i in range(4)]
        c = summarise(records).criterion_estimate
        self.assertEqual(c.text, "0.00")
        self.assertNotIn("\u22120.00", c.interval_text + c.text)


class RocAreaTests(SimpleTestCase):
    # How fake each clip looked: confidence / 100 if called fake, 1 - confidence / 100 if
    # called real. Fakes: .9, .6, .3, .5; real clips: .2, .6, .1, .5.
    RECORDS = (
        verdict(1, "deepfake", "deepfake", 90),
        verdict(2, "shallowfake", "deepfake", 60),
        verdict(3, "deepfake", "real", 70),
        verdict(4, "deepfake", "real", 50),
        verdict(5, "real", "real", 80),
        verdict(6, "real", "shallowfake", 60),
        verdict(7, "real", "real", 90),
        verdict(8, "real", "real", 50),
        # Not rated: a pair item, and a verdict without a confidence.
        AnswerRecord(1, 9, "pair", True, 100),
        AnswerRecord(1, 10, "verdict", True, None, truth="real", said="real"),
    )

    def test_it_computes_the_rating_roc_area_by_hand(self):
        # Fake above real out of 16 pairs (a tie counts a half): .9 beats all 4; .6 beats
        # .2, .1, .5 and ties .6 (3.5); .3 beats .2, .1 (2); .5 beats .2, .1, ties .5 (2.5).
        # 12 / 16 = .75.
        summary = summarise(self.RECORDS)
        self.assertAlmostEqual(summary.roc_area.value, 0.75)
        self.assertEqual((summary.rated_fakes, summary.rated_reals), (4, 4))

    def test_it_gives_the_area_its_hanley_mcneil_score_interval(self):
        # V(.75) with 4 and 4: Q1 = .75 / 1.25 = .6, Q2 = 2 * .5625 / 1.75 = .642857,
        # (.1875 + 3 * (.6 - .5625) + 3 * (.642857 - .5625)) / 16 = .541071 / 16 = .033817.
        self.assertAlmostEqual(hanley_mcneil_variance(0.75, 4, 4), 0.033817, places=5)
        # Each end A solves (.75 - A)^2 = 1.96^2 * V(A), as Wilson's does for a rate.
        area = summarise(self.RECORDS).roc_area
        for end in (area.low, area.high):
            self.assertAlmostEqual(
                (0.75 - end) ** 2, Z_95**2 * hanley_mcneil_variance(end, 4, 4), places=9
            )
        self.assertLess(area.low, 0.75)
        self.assertLess(0.75, area.high)
        self.assertEqual(area.interval_text, "0.35 to 0.94")

    def test_a_perfect_rating_keeps_a_real_interval(self):
        records = [verdict(i, "deepfake", "deepfake", 90) for i in range(4)]
        records += [verdict(10 + i, "real", "real", 90) for i in range(4)]
        area = summarise(records).roc_area
        self.assertEqual((area.value, area.high), (1.0, 1.0))
        # (1 - A)^2 = 1.96^2 * V(A) at A = .58: 4 and 4 clips cannot prove a perfect eye.
        self.assertAlmostEqual(area.low, 0.582, places=3)


class TimeTests(SimpleTestCase):
    def test_it_takes_the_median_time_per_item(self):
        records = [
            verdict(1, "real", "real", 70, seconds=5.0),
            verdict(2, "real", "real", 70, seconds=7.0),
            verdict(3, "real", "real", 70, seconds=60.0),
            verdict(4, "real", "real", 70),
        ]
        summary = summarise(records)
        self.assertEqual(summary.median_seconds, 7.0)
        self.assertAlmostEqual(summary.mean_seconds, 24.0)
        self.assertEqual(summary.median_seconds_text, "7.0 s")
        self.assertEqual(summarise([]).median_seconds_text, "")

    def test_it_words_durations(self):
        self.assertEqual(duration_text(4.24), "4.2 s")
        self.assertEqual(duration_text(23.4), "23 s")
        self.assertEqual(duration_text(125), "2 min 5 s")


def matrix(rows: dict[int, dict[int, bool]]) -> list[AnswerRecord]:
    """{attempt: {item: right}} as records."""
    return [
        AnswerRecord(
            attempt_id=attempt, item_id=item, kind="technique", correct=right, confidence=None
        )
        for attempt, answers in rows.items()
        for item, right in answers.items()
    ]


class ItemStatisticsTests(SimpleTestCase):
    def test_it_correlates_an_item_with_the_rest_score(self):
        # Item 1 against the rest (items 2 and 3) of each attempt:
        #   attempt   item1  rest
        #   A           1    2/2 = 1
        #   B           1    1/2 = .5
        #   C           1    0/2 = 0
        #   D           0    1/2 = .5
        #   E           0    0/2 = 0
        # M1 = (1 + .5 + 0)/3 = .5, M0 = (.5 + 0)/2 = .25, p = .6, q = .4
        # mean rest = .4, population variance = (1 + .25 + .25)/5 - .16 = .14, s = .37417
        # r = (.5 - .25) / .37417 * sqrt(.24) = .66815 * .48990 = 0.3273
        stats = item_statistics(
            matrix(
                {
                    1: {1: True, 2: True, 3: True},
                    2: {1: True, 2: True, 3: False},
                    3: {1: True, 2: False, 3: False},
                    4: {1: False, 2: True, 3: False},
                    5: {1: False, 2: False, 3: False},
                }
            )
        )
        self.assertAlmostEqual(stats[1].discrimination, 0.3273, places=4)
        self.assertAlmostEqual(stats[1].p, 0.6, places=4)
        self.assertEqual(stats[1].answers, 5)
        self.assertAlmostEqual(stats[3].p, 0.2, places=4)
        self.assertEqual(stats[1].flags, ())

    def test_it_flags_items_that_tell_nobody_apart(self):
        # Item 10 everyone right, 11 everyone wrong (no variance: no discrimination).
        # Item 12 is right for C, D, E, who do worse on the rest (items 10, 11, 13):
        #   rest A, B, C = (1 + 0 + 1)/3 = 2/3; D, E = 1/3.
        #   M1 = (2/3 + 1/3 + 1/3)/3 = 4/9, M0 = 2/3, mean = 8/15,
        #   variance = (3 * 4/9 + 2 * 1/9)/5 - 64/225 = 6/225, s = sqrt(6)/15,
        #   sqrt(pq)/s = sqrt(.24) * 15 / sqrt(6) = 3, r = (4/9 - 2/3) * 3 = -2/3.
        right = {10: True, 11: False}
        stats = item_statistics(
            matrix(
                {
                    1: {**right, 12: False, 13: True},
                    2: {**right, 12: False, 13: True},
                    3: {**right, 12: True, 13: True},
                    4: {**right, 12: True, 13: False},
                    5: {**right, 12: True, 13: False},
                }
            )
        )
        self.assertEqual(stats[10].flags, (ItemFlag.EVERYONE_RIGHT,))
        self.assertIsNone(stats[10].discrimination)
        self.assertEqual(stats[11].flags, (ItemFlag.EVERYONE_WRONG,))
        self.assertAlmostEqual(stats[12].discrimination, -2 / 3, places=4)
        self.assertEqual(stats[12].flags, (ItemFlag.NEGATIVE_DISCRIMINATION,))
        self.assertEqual(str(ItemFlag.EVERYONE_RIGHT.label)[:14], "Everyone right")

    def test_it_does_not_judge_items_on_few_answers(self):
        stats = item_statistics(matrix({a: {1: True, 2: a % 2 == 0} for a in range(4)}))
        self.assertEqual(stats[1].flags, ())
        self.assertIsNone(stats[2].discrimination)
        self.assertEqual(stats[2].answers, 4)

    def test_it_averages_confidence(self):
        records = [verdict(1, "real", "real", 60, attempt_id=a) for a in range(2)]
        records += [verdict(1, "real", "deepfake", 90, attempt_id=2)]
        self.assertAlmostEqual(item_statistics(records)[1].mean_confidence, 70.0, places=4)

    def test_it_matches_pearsons_r(self):
        # The point-biserial formula is Pearson's r with 0/1 on one side.
        from statistics import correlation

        right = [True, False, True, True, False, False]
        scores = [0.9, 0.2, 0.6, 0.4, 0.5, 0.1]
        self.assertAlmostEqual(
            point_biserial(right, scores),
            correlation([float(r) for r in right], scores),
            places=6,
        )
