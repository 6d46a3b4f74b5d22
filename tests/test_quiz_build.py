"""The quiz builder through the test client: who may build, making and editing quizzes, adding
items of each type (and being told why one is refused), removing and moving them, pools."""

from __future__ import annotations

import re

from media_library.models import MediaKind, Technique, Verdict
from quiz.models import Item, ItemKind, Mode, Quiz, QuizItem, Selection, SpotTarget
from tests.base import BaseTestCase
from tests.factories import add_tell, make_clip, make_item, make_teacher, quizzable_clip

BOXED = {"box_x": 0.4, "box_y": 0.1, "box_w": 0.2, "box_h": 0.3}


def quiz_data(**overrides) -> dict:
    # The builder writes title and description per language; these are the English ones.
    data = {
        "title_en": "Harbour fakes",
        "description_en": "Which of these were manipulated?",
        "mode": Mode.PRACTICE,
        "selection": Selection.FIXED,
        "order": "ordered",
        "pool_size": "10",
        "feed_fake_percent": "20",
    }
    for text in ("title", "description"):
        if text in overrides:
            overrides[f"{text}_en"] = overrides.pop(text)
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


class BuildFixture(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()

        cls.real = quizzable_clip("Mayor at the harbour")
        cls.fake = quizzable_clip(
            "Mayor face swap", Verdict.DEEPFAKE, technique=Technique.FACE_SWAP, original=cls.real
        )
        add_tell(cls.fake, **BOXED)
        cls.other_real = quizzable_clip("Ferry leaving")
        cls.unboxed_fake = quizzable_clip(
            "Slowed speech", Verdict.SHALLOWFAKE, technique=Technique.SPEED_CHANGE
        )
        add_tell(cls.unboxed_fake, "speed_change")
        cls.untold_fake = quizzable_clip(
            "Cropped crowd", Verdict.SHALLOWFAKE, technique=Technique.CROP
        )
        cls.image_fake = quizzable_clip(
            "Retouched portrait",
            Verdict.DEEPFAKE,
            technique=Technique.FULLY_SYNTHETIC,
            kind=MediaKind.IMAGE,
            duration_seconds=None,
        )
        add_tell(cls.image_fake, "skin", start_seconds=0, end_seconds=0, **BOXED)
        cls.draft = make_clip("Unpublished draft", verdict=Verdict.REAL)
        # Published but its blind quiz version is not made yet.
        cls.unrendered = quizzable_clip("Waiting for its rendition", quiz_media="")

        cls.quiz = Quiz.objects.create(title="Teacher's quiz", created_by=cls.teacher)
        cls.other_quiz = Quiz.objects.create(title="Colleague's quiz", created_by=cls.other_teacher)

    def edit_url(self, quiz: Quiz) -> str:
        return f"/build/quizzes/{quiz.slug}/"

    def add_url(self, quiz: Quiz) -> str:
        return f"/build/quizzes/{quiz.slug}/items/add/"

    def add(self, quiz: Quiz, **data):
        data.setdefault("difficulty", "medium")
        data.setdefault("spot_target", SpotTarget.REGION)
        data = {key: getattr(value, "pk", value) for key, value in data.items()}
        return self.client.post(self.add_url(quiz), data)


class AccessTests(BuildFixture):
    def test_it_sends_anonymous_visitors_to_log_in(self):
        for url in ("/build/quizzes/", "/build/quizzes/new/", "/build/items/"):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertRedirects(response, f"/accounts/login/?next={url}")

    def test_it_refuses_students(self):
        self.client.force_login(self.student)
        urls = [
            "/build/quizzes/",
            "/build/quizzes/new/",
            "/build/items/",
            "/build/items/new/",
            self.edit_url(self.quiz),
            f"/build/quizzes/{self.quiz.slug}/stats/",
        ]
        for url in urls:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 403)
        self.assertEqual(
            self.add(self.quiz, kind=ItemKind.VERDICT, clip=self.fake).status_code, 403
        )
        self.assertFalse(Item.objects.exists())

    def test_it_lists_a_teachers_own_quizzes_only(self):
        self.client.force_login(self.teacher)
        page = self.client.get("/build/quizzes/").content.decode()
        self.assertIn("Teacher&#x27;s quiz", page)
        self.assertNotIn("Colleague", page)

    def test_it_hides_another_teachers_quiz(self):
        self.client.force_login(self.teacher)
        item = make_item(self.fake)
        self.other_quiz.add_item(item)
        base = f"/build/quizzes/{self.other_quiz.slug}"
        for url in (f"{base}/", f"{base}/stats/", f"{base}/items/add/"):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.client.post(f"{base}/", quiz_data(title="Mine")).status_code, 404)
        self.assertEqual(self.client.post(f"{base}/items/{item.pk}/remove/").status_code, 404)
        self.other_quiz.refresh_from_db()
        self.assertEqual(self.other_quiz.title, "Colleague's quiz")
        self.assertEqual(self.other_quiz.entries.count(), 1)

    def test_it_lets_curators_see_and_edit_every_quiz(self):
        self.client.force_login(self.curator)
        page = self.client.get("/build/quizzes/").content.decode()
        self.assertIn("Teacher&#x27;s quiz", page)
        self.assertIn("Colleague&#x27;s quiz", page)
        self.assertIn("other_teacher", page)  # who built it
        response = self.client.post(self.edit_url(self.quiz), quiz_data(title="Renamed"))
        self.assertRedirects(response, self.edit_url(self.quiz))
        self.quiz.refresh_from_db()
        self.assertEqual(self.quiz.title, "Renamed")
        self.assertEqual(self.quiz.created_by, self.teacher)


class QuizFormTests(BuildFixture):
    def test_it_creates_a_quiz_for_the_teacher(self):
        self.client.force_login(self.teacher)
        self.assertEqual(self.client.get("/build/quizzes/new/").status_code, 200)
        response = self.client.post("/build/quizzes/new/", quiz_data(mode=Mode.ASSESSMENT))
        quiz = Quiz.objects.get(title="Harbour fakes")
        self.assertRedirects(response, self.edit_url(quiz))
        self.assertEqual(quiz.created_by, self.teacher)
        self.assertEqual(quiz.mode, Mode.ASSESSMENT)
        self.assertFalse(quiz.is_published)
        page = self.client.get("/build/quizzes/").content.decode()
        self.assertIn("Harbour fakes", page)
        self.assertIn("Draft", page)

    def test_it_shows_the_quiz_rules_as_field_errors(self):
        self.client.force_login(self.teacher)
        response = self.client.post(
            "/build/quizzes/new/",
            quiz_data(mode=Mode.FEED, selection=Selection.POOL, pool_kind=ItemKind.PAIR),
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.context["form"].errors["pool_kind"],
            ["A feed asks one thing of each clip: real or fake."],
        )
        self.assertContains(response, "A feed asks one thing of each clip: real or fake.")
        self.assertFalse(Quiz.objects.filter(title="Harbour fakes").exists())

    def test_it_refuses_to_open_a_quiz_with_no_ready_item(self):
        self.client.force_login(self.teacher)
        response = self.client.post(self.edit_url(self.quiz), quiz_data(is_published="on"))
        self.assertContains(response, "Add at least one ready item")
        self.quiz.refresh_from_db()
        self.assertFalse(self.quiz.is_published)
        # The page still shows the quiz as saved, not the rejected title.
        self.assertContains(response, "<h1>Teacher&#x27;s quiz</h1>", html=True)

    def test_it_publishes_a_quiz_with_a_ready_item(self):
        self.client.force_login(self.teacher)
        self.quiz.add_item(make_item(self.fake))
        response = self.client.post(
            self.edit_url(self.quiz), quiz_data(title="Teacher's quiz", is_published="on")
        )
        self.assertRedirects(response, self.edit_url(self.quiz))
        self.quiz.refresh_from_db()
        self.assertTrue(self.quiz.is_published)
        self.client.logout()
        self.assertContains(self.client.get("/quizzes/"), "Teacher&#x27;s quiz")

    def test_it_refuses_a_pool_that_matches_nothing_when_opening(self):
        self.client.force_login(self.teacher)
        make_item(self.fake)
        data = quiz_data(
            selection=Selection.POOL, pool_technique=Technique.LIP_SYNC, is_published="on"
        )
        response = self.client.post(self.edit_url(self.quiz), data)
        self.assertContains(response, "No ready item matches the pool")
        data["pool_technique"] = Technique.FACE_SWAP
        response = self.client.post(self.edit_url(self.quiz), data)
        self.assertRedirects(response, self.edit_url(self.quiz))


class AddItemTests(BuildFixture):
    def setUp(self) -> None:
        self.client.force_login(self.teacher)

    def test_it_adds_an_item_of_each_type(self):
        cases = [
            {"kind": ItemKind.VERDICT, "clip": self.fake},
            {"kind": ItemKind.PAIR, "clip": self.real, "other_clip": self.fake},
            {"kind": ItemKind.SPOT_TELL, "clip": self.fake, "spot_target": SpotTarget.BOTH},
            {"kind": ItemKind.SPOT_TELL, "clip": self.unboxed_fake, "spot_target": "time"},
            {"kind": ItemKind.SPOT_TELL, "clip": self.image_fake},
            {"kind": ItemKind.TECHNIQUE, "clip": self.fake, "prompt_en": "What was done here?"},
        ]
        for data in cases:
            with self.subTest(data=data):
                before = set(Item.objects.values_list("pk", flat=True))
                response = self.add(self.quiz, **data)
                self.assertRedirects(response, f"{self.edit_url(self.quiz)}#items")
                item = Item.objects.exclude(pk__in=before).get()
                self.assertEqual(item.kind, data["kind"])
                self.assertEqual(item.clip, data["clip"])
                self.assertEqual(item.created_by, self.teacher)
        self.assertEqual(
            [e.item.kind for e in self.quiz.entries.order_by("position")],
            [c["kind"] for c in cases],
        )
        page = self.client.get(self.edit_url(self.quiz)).content.decode()
        self.assertIn("What was done here?", page)
        self.assertIn("Which one was manipulated?", page)

    def test_it_shows_why_an_item_is_refused(self):
        cases = [
            (
                {"kind": ItemKind.PAIR, "clip": self.real, "other_clip": self.other_real},
                "other_clip",
                "Exactly one of the two clips must be manipulated.",
            ),
            (
                {"kind": ItemKind.PAIR, "clip": self.real},
                "other_clip",
                "Choose the second clip of the pair.",
            ),
            (
                {"kind": ItemKind.PAIR, "clip": self.fake, "other_clip": self.fake},
                "other_clip",
                "Choose two different clips.",
            ),
            (
                {"kind": ItemKind.SPOT_TELL, "clip": self.untold_fake},
                "clip",
                "Mark at least one tell on this clip first.",
            ),
            (
                {"kind": ItemKind.SPOT_TELL, "clip": self.unboxed_fake},
                "spot_target",
                "None of this clip's tells has a box on the frame.",
            ),
            (
                {"kind": ItemKind.SPOT_TELL, "clip": self.image_fake, "spot_target": "time"},
                "spot_target",
                "An image has no time to mark.",
            ),
            (
                {"kind": ItemKind.VERDICT, "clip": self.draft},
                "clip",
                "Select a valid choice. That choice is not one of the available choices.",
            ),
        ]
        for data, field, message in cases:
            with self.subTest(message=message):
                response = self.add(self.quiz, **data)
                self.assertEqual(response.status_code, 200)
                errors = response.context["item_form"].errors
                self.assertEqual([str(e) for e in errors[field]], [message])
                self.assertContains(response, "Please correct the errors below.")
        self.assertFalse(Item.objects.exists())
        self.assertFalse(self.quiz.entries.exists())

    def test_it_drops_a_second_clip_left_over_from_another_type(self):
        response = self.add(self.quiz, kind=ItemKind.VERDICT, clip=self.fake, other_clip=self.real)
        self.assertRedirects(response, f"{self.edit_url(self.quiz)}#items")
        self.assertIsNone(Item.objects.get().other_clip)

    def test_it_reuses_an_identical_item_from_the_bank(self):
        existing = make_item(self.fake, ItemKind.PAIR, other_clip=self.real)
        response = self.add(self.quiz, kind=ItemKind.PAIR, clip=self.real, other_clip=self.fake)
        self.assertRedirects(response, f"{self.edit_url(self.quiz)}#items")
        self.assertEqual(Item.objects.count(), 1)
        self.assertEqual(list(self.quiz.items.all()), [existing])

    def test_it_swaps_the_item_list_in_place_with_htmx(self):
        response = self.client.post(
            self.add_url(self.quiz),
            {
                "kind": "verdict",
                "clip": self.fake.pk,
                "difficulty": "hard",
                "spot_target": "region",
            },
            headers={"HX-Request": "true"},
        )
        self.assertEqual(response.status_code, 200)
        fragment = response.content.decode()
        self.assertIn("The item is added.", fragment)
        self.assertIn("Mayor face swap", fragment)
        self.assertNotIn("<html", fragment)
        # The list and a fresh form come back as the one element the form targets. The form
        # itself may have been replaced by its clip list while the post was on its way, so the
        # fragment swaps nothing out of band: an id taken from the form that sent the request
        # is not there to find (htmx:oobErrorNoTarget).
        full_page = self.client.get(self.edit_url(self.quiz)).content.decode()
        target = re.search(r'<form id="add-item"[^>]*hx-target="#([\w-]+)"', full_page)[1]
        self.assertTrue(fragment.lstrip().startswith(f'<div id="{target}">'))
        self.assertIn('<form id="add-item"', fragment)
        self.assertNotIn("hx-swap-oob", fragment)

    def test_it_swaps_only_the_list_after_a_move_or_a_removal(self):
        self.quiz.add_item(make_item(self.real))
        item = make_item(self.other_real)
        self.quiz.add_item(item)
        response = self.client.post(
            f"/build/quizzes/{self.quiz.slug}/items/{item.pk}/remove/",
            headers={"HX-Request": "true"},
        )
        fragment = response.content.decode()
        self.assertTrue(fragment.lstrip().startswith('<div id="item-list">'))
        self.assertNotIn('<form id="add-item"', fragment)

    def test_it_answers_an_invalid_htmx_post_with_the_form_only(self):
        response = self.client.post(
            self.add_url(self.quiz),
            {"kind": "pair", "clip": self.real.pk, "other_clip": self.other_real.pk},
            headers={"HX-Request": "true"},
        )
        self.assertEqual(response.headers["HX-Retarget"], "#add-item")
        self.assertEqual(response.headers["HX-Reswap"], "outerHTML")
        page = response.content.decode()
        self.assertTrue(page.lstrip().startswith('<form id="add-item"'))
        self.assertIn("Exactly one of the two clips must be manipulated.", page)
        self.assertNotIn("hx-swap-oob", page)

    def test_it_suggests_the_original_as_the_second_clip_of_a_pair(self):
        response = self.client.get(
            self.add_url(self.quiz),
            {"kind": "pair", "clip": self.fake.pk, "other_clip": ""},
            headers={"HX-Request": "true", "HX-Trigger-Name": "kind"},
        )
        form = response.context["item_form"]
        self.assertEqual(form["other_clip"].value(), self.real.pk)
        page = response.content.decode()
        self.assertIn('<optgroup label="Made from the same footage">', page)
        self.assertIn(f'<option value="{self.real.pk}" selected>', page)
        # Without htmx the same link renders the whole page.
        page = self.client.get(self.add_url(self.quiz), {"kind": "pair", "clip": self.real.pk})
        self.assertContains(page, "<html")
        self.assertEqual(page.context["item_form"]["other_clip"].value(), self.fake.pk)

    def test_it_offers_published_clips_only(self):
        response = self.client.get(self.edit_url(self.quiz))
        choices = [label for _value, label in response.context["item_form"].fields["clip"].choices]
        self.assertIn("Mayor face swap · Deepfake", choices)
        self.assertNotIn("Unpublished draft · Real", choices)


class ItemListEditTests(BuildFixture):
    def setUp(self) -> None:
        self.client.force_login(self.teacher)
        self.first = make_item(self.fake)
        self.second = make_item(self.real)
        self.quiz.add_item(self.first)
        self.quiz.add_item(self.second)

    def test_it_removes_an_item_but_keeps_it_in_the_bank(self):
        response = self.client.post(
            f"/build/quizzes/{self.quiz.slug}/items/{self.first.pk}/remove/"
        )
        self.assertRedirects(response, f"{self.edit_url(self.quiz)}#items")
        self.assertEqual(list(self.quiz.items.all()), [self.second])
        self.assertTrue(Item.objects.filter(pk=self.first.pk).exists())

    def test_it_only_removes_with_a_post(self):
        response = self.client.get(f"/build/quizzes/{self.quiz.slug}/items/{self.first.pk}/remove/")
        self.assertEqual(response.status_code, 405)
        self.assertEqual(self.quiz.entries.count(), 2)

    def test_it_moves_an_item_up(self):
        entry = self.quiz.entries.get(item=self.second)
        response = self.client.post(
            self.edit_url(self.quiz),
            {"entry": entry.pk, "direction": "up"},
            headers={"HX-Request": "true"},
        )
        self.assertContains(response, "The item is moved.")
        order = [e.item for e in QuizItem.objects.filter(quiz=self.quiz).order_by("position")]
        self.assertEqual(order, [self.second, self.first])

    def test_it_warns_when_an_item_is_not_ready_for_learners(self):
        self.quiz.add_item(make_item(self.unrendered))
        page = self.client.get(self.edit_url(self.quiz)).content.decode()
        self.assertEqual(page.count("Not ready for learners"), 1)
        self.assertIn("1 item is not ready and is left out of new attempts", page)

    def test_it_warns_that_an_open_quiz_with_no_ready_item_cannot_be_started(self):
        Quiz.objects.filter(pk=self.quiz.pk).update(is_published=True)
        page = self.client.get(self.edit_url(self.quiz))
        self.assertNotContains(page, "nobody can start it")
        self.quiz.entries.all().delete()
        self.quiz.add_item(make_item(self.unrendered))
        page = self.client.get(self.edit_url(self.quiz))
        self.assertContains(page, "none of its items is ready: nobody can start it")


class PoolTests(BuildFixture):
    def test_it_counts_the_ready_items_a_pool_matches(self):
        make_item(self.fake)
        make_item(self.unboxed_fake)
        make_item(self.real)
        make_item(self.unrendered)  # not ready: never counted
        make_item(self.fake, ItemKind.TECHNIQUE)
        pool = Quiz.objects.create(
            title="Pool",
            selection=Selection.POOL,
            pool_kind=ItemKind.VERDICT,
            pool_size=2,
            created_by=self.teacher,
        )
        self.client.force_login(self.teacher)
        response = self.client.get(self.edit_url(pool))
        self.assertEqual(response.context["pool_count"], 3)
        self.assertContains(response, "3 ready items match the pool")
        self.assertNotContains(response, "fewer than the")

        Quiz.objects.filter(pk=pool.pk).update(pool_size=5)
        response = self.client.get(self.edit_url(pool))
        self.assertContains(response, "That is fewer than the 5 each attempt should draw")

        Quiz.objects.filter(pk=pool.pk).update(pool_verdict=Verdict.SHALLOWFAKE)
        response = self.client.get(self.edit_url(pool))
        self.assertContains(response, "1 ready item matches the pool")


class ItemBankCreateTests(BuildFixture):
    def test_it_creates_a_standalone_item(self):
        self.client.force_login(self.teacher)
        self.assertEqual(self.client.get("/build/items/new/").status_code, 200)
        response = self.client.post(
            "/build/items/new/",
            {"kind": "technique", "clip": self.fake.pk, "difficulty": "easy", "prompt_en": ""},
        )
        self.assertRedirects(response, "/build/items/")
        item = Item.objects.get()
        self.assertEqual((item.kind, item.difficulty), (ItemKind.TECHNIQUE, "easy"))
        self.assertFalse(item.quizzes.exists())
        self.assertContains(self.client.get("/build/items/"), "Which technique?")

    def test_it_shows_a_refused_standalone_item_with_its_reason(self):
        self.client.force_login(self.curator)
        response = self.client.post(
            "/build/items/new/",
            {"kind": "spot_tell", "clip": self.untold_fake.pk, "difficulty": "easy"},
        )
        self.assertContains(response, "Mark at least one tell on this clip first.")
        self.assertFalse(Item.objects.exists())

    def test_it_refreshes_the_standalone_form_for_the_chosen_clip_with_htmx(self):
        self.client.force_login(self.teacher)
        response = self.client.get(
            "/build/items/new/",
            {"kind": "pair", "clip": self.real.pk},
            headers={"HX-Request": "true", "HX-Trigger-Name": "clip"},
        )
        page = response.content.decode()
        self.assertTrue(page.lstrip().startswith('<form id="item-form"'))
        self.assertIn(f'<option value="{self.fake.pk}" selected>', page)
        self.assertIn("Waiting for its rendition · Real · no quiz version yet", page)
        self.assertNotIn("Please correct the errors", page)


class CopyTests(BuildFixture):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.open_quiz = Quiz.objects.create(
            title="Harbour basics",
            created_by=cls.other_teacher,
            mode=Mode.ASSESSMENT,
            order="shuffled",
            is_published=True,
        )
        cls.first, cls.second = make_item(cls.fake), make_item(cls.other_real)
        cls.open_quiz.add_item(cls.first)
        cls.open_quiz.add_item(cls.second)
        cls.newcomer = make_teacher("newcomer")

    def copy_url(self, quiz: Quiz) -> str:
        return f"/build/quizzes/{quiz.slug}/copy/"

    def test_it_offers_open_quizzes_to_copy_instead_of_an_empty_builder(self):
        self.client.force_login(self.newcomer)
        page = self.client.get("/build/quizzes/")
        self.assertContains(page, "Or start from an open quiz below")
        self.assertContains(page, "Open quizzes you can copy")
        self.assertContains(page, "Harbour basics")
        self.assertContains(page, f'action="{self.copy_url(self.open_quiz)}"')
        # Someone else's draft is not offered.
        self.assertNotContains(page, "Colleague&#x27;s quiz")

    def test_it_copies_an_open_quiz_into_the_teachers_own_draft(self):
        self.client.force_login(self.newcomer)
        response = self.client.post(self.copy_url(self.open_quiz))
        draft = Quiz.objects.get(created_by=self.newcomer)
        self.assertRedirects(response, self.edit_url(draft))
        self.assertEqual(draft.title, "Harbour basics (copy)")
        self.assertFalse(draft.is_published)
        self.assertEqual((draft.mode, draft.order), (Mode.ASSESSMENT, "shuffled"))
        self.assertEqual(
            list(draft.entries.values_list("item", flat=True)), [self.first.pk, self.second.pk]
        )
        # The original is untouched, and the copy is the teacher's to list and edit.
        self.assertEqual(self.open_quiz.entries.count(), 2)
        self.assertContains(self.client.get("/build/quizzes/"), "Harbour basics (copy)")
        self.assertEqual(self.client.get(self.edit_url(draft)).status_code, 200)

    def test_it_refuses_to_copy_another_teachers_draft_or_by_get(self):
        self.client.force_login(self.newcomer)
        self.assertEqual(self.client.post(self.copy_url(self.other_quiz)).status_code, 404)
        self.assertEqual(self.client.get(self.copy_url(self.open_quiz)).status_code, 405)
        self.client.force_login(self.student)
        self.assertEqual(self.client.post(self.copy_url(self.open_quiz)).status_code, 403)
        self.assertFalse(Quiz.objects.filter(title__endswith="(copy)").exists())
