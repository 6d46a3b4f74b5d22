"""Item statistics for builders, from stored answers: a quiz's stats page and the item bank flag
items everyone gets right or wrong and items with a negative discrimination."""

from __future__ import annotations

import re
import uuid

from django.utils import timezone

from media_library.models import Verdict
from quiz.measures import ItemFlag
from quiz.models import Attempt, AttemptItem, GivenAnswer, Item, Mode, Quiz
from tests.base import BaseTestCase
from tests.factories import make_item, make_quiz, quizzable_clip

# Six learners answer six items. Strong learners get D, E and F right and weak ones get them
# wrong; C goes the other way, so it is right for exactly those who do badly elsewhere.
STRONG = {"A": True, "B": False, "C": False, "D": True, "E": True, "F": True}
WEAK = {"A": True, "B": False, "C": True, "D": False, "E": False, "F": False}
TITLES = {
    "A": "Anchor reading news",
    "B": "Bridge at dusk",
    "C": "Choir rehearsal",
    "D": "Dockside interview",
    "E": "Election rally",
    "F": "Festival crowd",
    "G": "Garden party",
}


def record_attempt(quiz: Quiz, outcomes: list[tuple[Item, bool]], **fields) -> Attempt:
    """An attempt with its answers stored by Attempt.record (which keeps the counters the
    statistics pages read), without the pages in between."""
    fields.setdefault("finished_at", timezone.now())
    attempt = Attempt.objects.create(quiz=quiz, mode=quiz.mode, **fields)
    for position, (item, correct) in enumerate(outcomes, start=1):
        entry = AttemptItem.objects.create(attempt=attempt, item=item, position=position)
        verdict = item.clip.verdict if correct else Verdict.DEEPFAKE
        given = GivenAnswer(key=uuid.uuid4(), verdict=verdict, confidence=90 if correct else 60)
        answer, _created = attempt.record(entry, given)
        assert answer.is_correct == correct
    # record() finishes an attempt once every item is answered; these say when they finished.
    Attempt.objects.filter(pk=attempt.pk).update(finished_at=fields["finished_at"])
    return attempt


def row_html(page: str, title: str) -> str:
    """The table row that names a clip."""
    rows = re.findall(r"<tr>.*?</tr>", page, flags=re.S)
    return next(row for row in rows if title in row)


class ItemStatsFixture(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.items = {key: make_item(quizzable_clip(title)) for key, title in TITLES.items()}
        cls.quiz = make_quiz(list(cls.items.values()), "Newsroom check", mode=Mode.ASSESSMENT)
        Quiz.objects.filter(pk=cls.quiz.pk).update(created_by=cls.teacher)
        for outcomes in [STRONG] * 3 + [WEAK] * 3:
            record_attempt(cls.quiz, [(cls.items[key], right) for key, right in outcomes.items()])
        # Two answers only: too few to say anything.
        for right in (True, False):
            record_attempt(cls.quiz, [(cls.items["G"], right)], finished_at=None)

    def stats_page(self) -> str:
        self.client.force_login(self.teacher)
        response = self.client.get(f"/build/quizzes/{self.quiz.slug}/stats/")
        self.assertEqual(response.status_code, 200)
        return response


class QuizStatsTests(ItemStatsFixture):
    def test_it_computes_each_items_numbers_from_the_quizs_answers(self):
        rows = {row.item.pk: row for row in self.stats_page().context["rows"]}
        a, b, c, d = (rows[self.items[key].pk] for key in "ABCD")
        self.assertEqual(
            (a.answers, a.percent_right, a.flags), (6, 100, (ItemFlag.EVERYONE_RIGHT,))
        )
        self.assertEqual((b.answers, b.percent_right, b.flags), (6, 0, (ItemFlag.EVERYONE_WRONG,)))
        self.assertEqual(a.mean_confidence, 90)
        self.assertEqual(c.percent_right, 50)
        self.assertEqual(c.mean_confidence, 75)
        # Right exactly when the rest of the attempt went badly: r = -1.
        self.assertAlmostEqual(c.discrimination, -1.0)
        self.assertEqual(c.flags, (ItemFlag.NEGATIVE_DISCRIMINATION,))
        self.assertGreater(d.discrimination, 0)
        self.assertEqual(d.flags, ())
        self.assertEqual(rows[self.items["G"].pk].answers, 2)
        self.assertFalse(rows[self.items["G"].pk].has_enough_answers)

    def test_it_shows_the_flags_on_the_right_rows(self):
        page = self.stats_page().content.decode()
        self.assertIn("Everyone right: it tells nobody apart", row_html(page, TITLES["A"]))
        self.assertIn("Everyone wrong: check the answer key", row_html(page, TITLES["B"]))
        c_row = row_html(page, TITLES["C"])
        self.assertIn("Negative discrimination", c_row)
        self.assertIn("-1.00", c_row)
        d_row = row_html(page, TITLES["D"])
        self.assertNotIn('class="badge badge-failed"', d_row)
        self.assertIn("measured: Medium", d_row)
        self.assertIn("not enough answers yet", row_html(page, TITLES["G"]))
        self.assertNotIn("%", row_html(page, TITLES["G"]))
        self.assertIn("8 attempts started, 6 finished", page.replace("\n", " "))

    def test_it_explains_difficulty_and_discrimination_in_plain_words(self):
        page = self.stats_page()
        self.assertContains(page, "It is the item's measured difficulty")
        self.assertContains(
            page,
            "A negative discrimination means learners who do well elsewhere get this one "
            "wrong: check its label",
        )

    def test_it_counts_only_the_answers_given_in_this_quiz(self):
        # Elsewhere, someone gets A wrong: this quiz's numbers must not move.
        elsewhere = make_quiz([self.items["A"]], "Another quiz")
        record_attempt(elsewhere, [(self.items["A"], False)])
        rows = {row.item.pk: row for row in self.stats_page().context["rows"]}
        self.assertEqual(rows[self.items["A"].pk].flags, (ItemFlag.EVERYONE_RIGHT,))
        self.assertEqual(rows[self.items["A"].pk].answers, 6)

    def test_it_keeps_the_numbers_of_an_item_removed_since(self):
        self.quiz.entries.filter(item=self.items["B"]).delete()
        page = self.stats_page().content.decode()
        self.assertIn("Everyone wrong", row_html(page, TITLES["B"]))

    def test_it_hides_the_stats_from_other_teachers_and_students(self):
        url = f"/build/quizzes/{self.quiz.slug}/stats/"
        self.client.force_login(self.other_teacher)
        self.assertEqual(self.client.get(url).status_code, 404)
        self.client.force_login(self.student)
        self.assertEqual(self.client.get(url).status_code, 403)
        self.client.force_login(self.curator)
        self.assertEqual(self.client.get(url).status_code, 200)


class ItemBankStatsTests(ItemStatsFixture):
    def test_it_shows_every_items_stats_in_the_bank(self):
        self.client.force_login(self.other_teacher)
        page = self.client.get("/build/items/").content.decode()
        self.assertIn("Everyone right", row_html(page, TITLES["A"]))
        self.assertIn("Negative discrimination", row_html(page, TITLES["C"]))
        self.assertIn("not enough answers yet", row_html(page, TITLES["G"]))

    def test_it_filters_the_items_that_behave_badly(self):
        self.client.force_login(self.teacher)
        response = self.client.get("/build/items/", {"flagged": "on"})
        shown = {row.item.pk for row in response.context["rows"]}
        self.assertEqual(shown, {self.items[key].pk for key in "ABC"})
        page = response.content.decode()
        self.assertNotIn(TITLES["D"], page)
        self.assertIn("Show all", page)

    def test_it_pools_answers_from_every_quiz_in_the_bank(self):
        elsewhere = make_quiz([self.items["A"]], "Another quiz")
        record_attempt(elsewhere, [(self.items["A"], False)])
        self.client.force_login(self.teacher)
        response = self.client.get("/build/items/")
        row = next(r for r in response.context["rows"] if r.item == self.items["A"])
        self.assertEqual((row.answers, row.percent_right, row.flags), (7, 86, ()))
