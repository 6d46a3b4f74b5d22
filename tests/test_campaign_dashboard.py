"""A campaign's dashboard through the test client: the figures on a small case worked out by
hand (from participations' counters, and from real answers), the k-anonymity threshold and the
secondary suppression on the page and in the CSV, and a query count that does not grow with
the participants."""

from __future__ import annotations

import csv
import io
import math
import statistics
from datetime import datetime, timedelta
from statistics import NormalDist

from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaigns.models import Campaign, CampaignText, ItemTally, Participation, Round
from media_library.models import Verdict
from quiz.estimates import wilson
from quiz.models import Attempt
from tests.base import BaseTestCase
from tests.factories import answer_key, make_item, make_quiz, quizzable_clip, start

T_975_DF9 = 2.262157  # Student's t, 97.5th percentile, 9 degrees of freedom
HIDDEN = "fewer than 10"


def z(p: float) -> float:
    return NormalDist().inv_cdf(p)


class DashboardCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.real_clip = quizzable_clip("Minister at the port")
        cls.fake_clip = quizzable_clip("Minister voice clone", Verdict.DEEPFAKE)
        cls.real_item = make_item(cls.real_clip)
        cls.fake_item = make_item(cls.fake_clip)
        cls.quiz = make_quiz([cls.fake_item, cls.real_item], title="Election clips")
        now = timezone.now()
        cls.campaign = Campaign.objects.create(
            slug="vote-2027",
            organizer=cls.organizer,
            quiz=cls.quiz,
            languages=["en", "es", "zh-hans"],
            starts_at=now - timedelta(days=10),
            ends_at=now + timedelta(days=10),
        )
        CampaignText.objects.create(
            campaign=cls.campaign, language="en", title="Vote", intro="Spot the fakes."
        )

    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.organizer)

    def participate(self, n: int = 1, *, finished: bool = True, **fields) -> list[Participation]:
        made = []
        for _i in range(n):
            attempt = Attempt.objects.create(
                quiz=self.quiz,
                mode=self.quiz.mode,
                finished_at=timezone.now() if finished else None,
            )
            fields.setdefault("language", "en")
            made.append(
                Participation.objects.create(campaign=self.campaign, attempt=attempt, **fields)
            )
        return made

    def dashboard(self):
        response = self.client.get(f"/campaigns/manage/{self.campaign.slug}/dashboard/")
        self.assertEqual(response.status_code, 200)
        return response

    def csv_cells(self) -> dict[tuple[str, str, str], list[str]]:
        response = self.client.get(f"/campaigns/manage/{self.campaign.slug}/dashboard.csv")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        self.assertEqual(rows[0], ["section", "group", "measure", "value", "low", "high"])
        return {(r[0], r[1], r[2]): r[3:] for r in rows[1:]}


class ThresholdTests(DashboardCase):
    def test_nine_participants_are_hidden_and_ten_shown_on_page_and_csv(self):
        self.participate(9, answered=2, correct=1, hits=1, misses=0, false_alarms=1)
        response = self.dashboard()
        self.assertContains(
            response,
            f'<td data-label="Participants"><span class="hidden-cell">{HIDDEN}</span></td>',
        )
        self.assertNotContains(response, '<td data-label="Participants">9</td>')
        cells = self.csv_cells()
        for measure in ("participants", "finished", "completion", "accuracy", "hit_rate"):
            self.assertEqual(cells[("first:summary", "all", measure)], [HIDDEN, "", ""], measure)
        self.assertEqual(cells[("first:summary", "en", "participants")], [HIDDEN, "", ""])

        self.participate(1, answered=2, correct=1, hits=1, misses=0, false_alarms=1)
        response = self.dashboard()
        self.assertContains(response, '<td data-label="Participants">10</td>')
        cells = self.csv_cells()
        self.assertEqual(cells[("first:summary", "all", "participants")], ["10", "", ""])
        self.assertEqual(cells[("first:summary", "en", "participants")], ["10", "", ""])
        self.assertEqual(cells[("first:summary", "all", "accuracy")][0], "0.500")

    def test_the_threshold_is_the_setting(self):
        self.participate(3)
        with override_settings(CAMPAIGN_MIN_CELL=3):
            self.assertEqual(self.csv_cells()[("first:summary", "all", "participants")][0], "3")
            self.assertContains(self.dashboard(), "fewer than 3")

    def test_per_item_cells_need_ten_answers(self):
        def tally(item, answers):
            ItemTally.objects.create(
                campaign=self.campaign,
                item=item,
                round=Round.FIRST,
                language="en",
                answers=answers,
                correct=answers // 2,
                said_fake=answers // 2,
            )

        tally(self.fake_item, 9)
        tally(self.real_item, 10)
        cells = self.csv_cells()
        fake, real = f"item-{self.fake_item.pk}", f"item-{self.real_item.pk}"
        self.assertEqual(cells[("first:items", fake, "answers")], [HIDDEN, "", ""])
        self.assertEqual(cells[("first:items", fake, "hit_rate")], [HIDDEN, "", ""])
        self.assertEqual(cells[("first:items", real, "answers")], ["10", "", ""])
        estimate = wilson(5, 10)
        self.assertEqual(
            cells[("first:items", real, "false_alarm_rate")],
            ["0.500", f"{estimate.low:.3f}", f"{estimate.high:.3f}"],
        )
        page = self.dashboard()
        self.assertContains(page, "Minister voice clone")
        self.assertContains(page, '<td data-label="Answers">10</td>')

    def test_each_language_has_its_own_threshold_and_a_lone_hidden_one_hides_another(self):
        self.participate(10, language="en")
        self.participate(12, language="es")
        self.participate(3, language="zh-hans")
        cells = self.csv_cells()
        self.assertEqual(cells[("first:summary", "all", "participants")][0], "25")
        self.assertEqual(cells[("first:summary", "zh-hans", "participants")][0], HIDDEN)
        # 25 - 12 - 10 would give the 3 away: the smallest shown language (en) is hidden too,
        # with all of its figures.
        self.assertEqual(cells[("first:summary", "en", "participants")][0], HIDDEN)
        self.assertEqual(cells[("first:summary", "en", "finished")][0], HIDDEN)
        self.assertEqual(cells[("first:summary", "en", "completion")][0], HIDDEN)
        self.assertEqual(cells[("first:summary", "es", "participants")][0], "12")

    def test_two_hidden_languages_need_no_more_hiding_and_an_empty_one_counts_for_none(self):
        self.participate(20, language="en")
        self.participate(4, language="es")
        self.participate(3, language="zh-hans")
        cells = self.csv_cells()
        self.assertEqual(cells[("first:summary", "en", "participants")][0], "20")
        Participation.objects.filter(language="zh-hans").update(language="es")
        cells = self.csv_cells()
        # es (7) is the one hidden with people in it; zh-hans has none, so en must go.
        self.assertEqual(cells[("first:summary", "zh-hans", "participants")][0], HIDDEN)
        self.assertEqual(cells[("first:summary", "en", "participants")][0], HIDDEN)

    def test_a_lone_hidden_day_hides_the_next_smallest(self):
        day = timezone.make_aware(datetime(2026, 11, 20, 12, 0))
        self.participate(14, started_at=day)
        self.participate(11, started_at=day + timedelta(days=1))
        self.participate(4, started_at=day + timedelta(days=2))
        cells = self.csv_cells()
        self.assertEqual(cells[("first:days", "all", "participants")][0], "29")
        self.assertEqual(cells[("first:days", "2026-11-20", "participants")][0], "14")
        self.assertEqual(cells[("first:days", "2026-11-21", "participants")][0], HIDDEN)
        self.assertEqual(cells[("first:days", "2026-11-22", "participants")][0], HIDDEN)

    def test_a_completion_rate_never_gives_a_hidden_finished_count_away(self):
        self.participate(12)
        self.participate(15, finished=False)
        cells = self.csv_cells()
        self.assertEqual(cells[("first:summary", "all", "participants")][0], "27")
        self.assertEqual(cells[("first:summary", "all", "finished")][0], "12")
        self.assertEqual(cells[("first:summary", "all", "completion")][0], "0.444")
        done = Attempt.objects.filter(finished_at__isnull=False).values_list("pk", flat=True)
        Attempt.objects.filter(pk__in=list(done[:5])).update(finished_at=None)
        cells = self.csv_cells()
        self.assertEqual(cells[("first:summary", "all", "finished")][0], HIDDEN)
        self.assertEqual(cells[("first:summary", "all", "completion")][0], HIDDEN)


class FiguresTests(DashboardCase):
    def test_the_figures_of_a_small_case_worked_out_by_hand(self):
        # Five people judged 4 fakes and 4 real clips: 3 hits, 1 false alarm (6 of 8 right).
        # Five more were perfect: 4 hits, no false alarm (8 of 8).
        self.participate(
            5,
            answered=8,
            correct=6,
            hits=3,
            misses=1,
            false_alarms=1,
            correct_rejections=3,
            survey_before=2,
            survey_after=4,
        )
        self.participate(
            5,
            answered=8,
            correct=8,
            hits=4,
            misses=0,
            false_alarms=0,
            correct_rejections=4,
            survey_before=2,
            survey_after=3,
        )
        self.participate(1, survey_after=5, language="es")  # answered nothing yet
        # One of the first five also answers "4" after: six "4"s and four "3"s after.
        first_three = Participation.objects.filter(survey_after=3).order_by("pk")[:1]
        Participation.objects.filter(pk__in=[p.pk for p in first_three]).update(survey_after=4)
        cells = self.csv_cells()

        def value(measure):
            return [float(x) for x in cells[("first:summary", "all", measure)]]

        self.assertEqual(cells[("first:summary", "all", "participants")][0], "11")
        self.assertEqual(cells[("first:summary", "all", "finished")][0], "11")
        accuracy = wilson(70, 80)
        self.assertEqual(
            value("accuracy"), [0.875, round(accuracy.low, 3), round(accuracy.high, 3)]
        )
        self.assertEqual(value("hit_rate")[0], 0.875)  # 35 / 40
        self.assertEqual(value("false_alarm_rate")[0], 0.125)  # 5 / 40

        # d': z(.75) - z(.25) for the first five; the perfect ones' rates are moved to
        # 1 - 1/8 and 1/8 (the 1/(2N) rule), so z(.875) - z(.125).
        a, b = z(0.75) - z(0.25), z(0.875) - z(0.125)
        values = [a] * 5 + [b] * 5
        mean = statistics.mean(values)
        half = T_975_DF9 * statistics.stdev(values) / math.sqrt(10)
        d = value("d_prime")
        self.assertAlmostEqual(d[0], mean, places=3)
        self.assertAlmostEqual(d[1], mean - half, places=3)
        self.assertAlmostEqual(d[2], mean + half, places=3)

        # The survey: ten said 2 before; after, six 4s, four 3s (and the eleventh a 5).
        self.assertEqual(cells[("first:survey", "2", "before")][0], "10")
        self.assertEqual(cells[("first:survey", "4", "after")][0], HIDDEN)
        self.assertEqual(cells[("first:survey", "mean", "before")][0], "2.000")
        self.assertAlmostEqual(
            float(cells[("first:survey", "mean", "after")][0]), (24 + 12 + 5) / 11, places=3
        )
        changes = [2] * 6 + [1] * 4
        change = cells[("first:survey", "paired", "change")]
        half = T_975_DF9 * statistics.stdev(changes) / math.sqrt(10)
        self.assertAlmostEqual(float(change[0]), 1.6, places=3)
        self.assertAlmostEqual(float(change[1]), 1.6 - half, places=3)
        self.assertEqual(cells[("first:survey", "paired", "participants")][0], "10")

        page = self.dashboard()
        self.assertContains(page, "88 %")  # accuracy and hit rate, as whole percentages

    def test_the_booster_compares_each_persons_first_round_with_their_retest(self):
        firsts = self.participate(10, hits=2, misses=2, false_alarms=2, correct_rejections=2)
        for first in firsts:
            attempt = Attempt.objects.create(quiz=self.quiz, mode=self.quiz.mode)
            Participation.objects.create(
                campaign=self.campaign,
                attempt=attempt,
                language="en",
                round=Round.BOOSTER,
                first=first,
                hits=3,
                misses=1,
                false_alarms=1,
                correct_rejections=3,
            )
        cells = self.csv_cells()
        self.assertEqual(cells[("booster:summary", "all", "participants")][0], "10")
        self.assertEqual(cells[("first:summary", "all", "participants")][0], "10")
        self.assertEqual(cells[("booster:paired", "paired", "participants")][0], "10")
        retest = z(0.75) - z(0.25)
        self.assertEqual(float(cells[("booster:paired", "paired", "d_prime_first")][0]), 0.0)
        self.assertAlmostEqual(
            float(cells[("booster:paired", "paired", "d_prime_retest")][0]), retest, places=3
        )
        self.assertAlmostEqual(
            float(cells[("booster:paired", "paired", "d_prime_change")][0]), retest, places=3
        )
        self.assertContains(self.dashboard(), "The booster: first round against the retest")

    @override_settings(CAMPAIGN_MIN_CELL=2)
    def test_real_answers_reach_the_dashboard(self):
        # Three visitors answer the fake and the real clip through the quiz's own pages.
        said = [("deepfake", "real"), ("deepfake", "deepfake"), ("real", "real")]
        for fake_said, real_said in said:
            self.client.logout()
            attempt = start(self.client, self.quiz)
            Participation.objects.create(campaign=self.campaign, attempt=attempt, language="es")
            for position in (1, 2):
                entry = attempt.entries.get(position=position)
                verdict = fake_said if entry.item_id == self.fake_item.pk else real_said
                response = self.client.post(
                    f"/attempts/{attempt.uid}/items/{position}/answer/",
                    {
                        "key": answer_key(self.client, attempt, position),
                        "verdict": verdict,
                        "confidence": "70",
                    },
                )
                self.assertEqual(response.status_code, 302)
        self.client.force_login(self.organizer)
        cells = self.csv_cells()
        self.assertEqual(cells[("first:summary", "es", "participants")][0], "3")
        self.assertEqual(cells[("first:summary", "all", "finished")][0], "3")
        self.assertEqual(cells[("first:summary", "all", "accuracy")][0], "0.667")  # 4 of 6
        self.assertEqual(cells[("first:summary", "all", "hit_rate")][0], "0.667")  # 2 of 3
        self.assertEqual(cells[("first:summary", "all", "false_alarm_rate")][0], "0.333")
        fake, real = f"item-{self.fake_item.pk}", f"item-{self.real_item.pk}"
        self.assertEqual(cells[("first:items", fake, "answers")][0], "3")
        self.assertEqual(cells[("first:items", fake, "hit_rate")][0], "0.667")
        self.assertEqual(cells[("first:items", real, "false_alarm_rate")][0], "0.333")
        # One fake and one real clip each: the 1/(2N) rule moves a rate of 0 or 1 to 1/2, so
        # everyone's d' is 0, whatever they said (the figure needs more clips to mean much).
        self.assertEqual(cells[("first:summary", "all", "d_prime")][:1], ["0.000"])


class CostTests(DashboardCase):
    def test_the_query_count_does_not_grow_with_participants(self):
        def count() -> int:
            with CaptureQueriesContext(connection) as queries:
                self.dashboard()
            return len(queries)

        self.participate(10, hits=1, misses=1, false_alarms=1, correct_rejections=1)
        few = count()
        self.participate(40, language="es", hits=2, misses=0, false_alarms=0, correct_rejections=2)
        ItemTally.objects.create(
            campaign=self.campaign,
            item=self.fake_item,
            round=Round.FIRST,
            language="en",
            answers=50,
        )
        self.assertEqual(count(), few)
