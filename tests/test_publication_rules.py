"""Rights and consent before publication: a licence, and a consent record that fits who is shown."""

from __future__ import annotations

from django.urls import reverse

from media_library.models import Clip, PublicationState
from tests.base import BaseTestCase
from tests.factories import HTMX, messages_of, ready_clip

NO_LICENCE = "Record the licence that allows us to show the clip."
PEOPLE_UNDECIDED = "Say whether anyone is shown or heard in the clip."
FIGURE_UNDECIDED = "Say whether the people in the clip are public figures."
PRIVATE_NEEDS_CONSENT = "A private person is shown or heard: record their consent"
FIGURE_NEEDS_BASIS = "A public figure needs no consent, but the consent record must say why"


def blockers_of(clip: Clip) -> str:
    return " ".join(str(b) for b in clip.publication_blockers)


class ConsentRuleTests(BaseTestCase):
    """Each case: the fields a curator filled in, and the blocker left (None for none)."""

    CASES = [
        ("nobody shown, licensed", {"depicts_people": False}, None),
        ("nothing decided", {}, PEOPLE_UNDECIDED),
        ("people, public or not undecided", {"depicts_people": True}, FIGURE_UNDECIDED),
        (
            "a private person without consent",
            {"depicts_people": True, "depicts_public_figure": False},
            PRIVATE_NEEDS_CONSENT,
        ),
        (
            "a private person, consent noted but not on file",
            {
                "depicts_people": True,
                "depicts_public_figure": False,
                "consent_notes": "Asked her; she said yes.",
            },
            PRIVATE_NEEDS_CONSENT,
        ),
        (
            "a private person with consent on file",
            {"depicts_people": True, "depicts_public_figure": False, "consent_on_file": True},
            None,
        ),
        (
            "a public figure with no basis given",
            {"depicts_people": True, "depicts_public_figure": True, "consent_notes": "  "},
            FIGURE_NEEDS_BASIS,
        ),
        (
            "a public figure with the basis recorded",
            {
                "depicts_people": True,
                "depicts_public_figure": True,
                "consent_notes": "Public figure, newsworthy broadcast footage.",
            },
            None,
        ),
        (
            "a public figure who consented",
            {"depicts_people": True, "depicts_public_figure": True, "consent_on_file": True},
            None,
        ),
    ]

    def test_the_consent_record_must_fit_who_is_shown(self) -> None:
        for name, fields, blocker in self.CASES:
            with self.subTest(name):
                clip = ready_clip(name, licence="CC BY 4.0", **fields)
                if blocker is None:
                    self.assertEqual(clip.publication_blockers, [])
                    self.assertTrue(clip.submit_for_review(self.curator))
                else:
                    self.assertIn(blocker, blockers_of(clip))
                    self.assertEqual(len(clip.publication_blockers), 1)
                    self.assertFalse(clip.submit_for_review(self.curator))

    def test_a_licence_is_always_needed(self) -> None:
        for licence in ("", "   "):
            with self.subTest(licence=licence):
                clip = ready_clip(
                    f"Unlicensed {len(licence)}", licence=licence, depicts_people=False
                )
                self.assertEqual([str(b) for b in clip.publication_blockers], [NO_LICENCE])
                self.assertFalse(clip.submit_for_review(self.curator))


class WorkflowRefusalTests(BaseTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.curator)

    def post(self, name: str, clip: Clip):
        return self.client.post(reverse(f"media_library:{name}", args=[clip.slug]))

    def test_submitting_without_rights_says_what_is_missing(self) -> None:
        clip = ready_clip()
        response = self.post("clip-submit", clip)
        [message] = messages_of(response)
        self.assertIn(NO_LICENCE, message)
        self.assertIn(PEOPLE_UNDECIDED, message)
        clip.refresh_from_db()
        self.assertEqual(clip.publication_state, PublicationState.DRAFT)

    def test_a_clip_in_review_cannot_be_published_once_consent_is_unset(self) -> None:
        clip = ready_clip(
            licence="CC BY 4.0",
            depicts_people=True,
            depicts_public_figure=False,
            consent_on_file=False,
            publication_state=PublicationState.IN_REVIEW,
        )
        response = self.post("clip-publish", clip)
        self.assertIn(PRIVATE_NEEDS_CONSENT, messages_of(response)[0])
        clip.refresh_from_db()
        self.assertEqual(clip.publication_state, PublicationState.IN_REVIEW)

    def test_the_page_lists_the_blockers_and_disables_the_button(self) -> None:
        clip = ready_clip()
        response = self.client.get(clip.get_absolute_url())
        self.assertContains(response, NO_LICENCE)
        self.assertContains(response, PEOPLE_UNDECIDED)
        self.assertContains(response, 'disabled aria-describedby="publication-blockers"')


class EditFormTests(BaseTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.curator)
        self.clip = ready_clip("Harbour")
        self.url = reverse("media_library:clip-edit", args=[self.clip.slug])

    def data(self, **overrides) -> dict:
        data = {
            "title": "Harbour",
            "verdict": "real",
            "technique": "none",
            "licence": "CC BY 4.0",
            "depicts_people": "unknown",
            "depicts_public_figure": "unknown",
            "consent_notes": "",
            "captions_vtt": "",
        }
        data.update(overrides)
        return data

    def test_the_form_asks_the_consent_questions_in_plain_words(self) -> None:
        response = self.client.get(self.clip.get_absolute_url())
        self.assertContains(response, "Is anyone shown or heard?")
        self.assertContains(response, "Are they all public figures?")
        self.assertContains(response, '<option value="unknown" selected>Not decided yet</option>')

    def test_saving_the_answers_lifts_the_blockers_on_the_page(self) -> None:
        response = self.client.post(self.url, self.data(depicts_people="false"), **HTMX)
        self.assertContains(response, "Saved.")
        # The workflow panel comes back out of band, its Submit button now enabled.
        self.assertContains(response, 'id="workflow" class="card workflow"')
        self.assertContains(response, 'hx-swap-oob="true"')
        self.assertNotContains(response, "publication-blockers")
        self.clip.refresh_from_db()
        self.assertIs(self.clip.depicts_people, False)
        self.assertEqual(self.clip.publication_blockers, [])

    def test_saving_a_private_person_without_consent_shows_what_is_missing(self) -> None:
        response = self.client.post(
            self.url,
            self.data(depicts_people="true", depicts_public_figure="false"),
            **HTMX,
        )
        self.assertContains(response, "Saved.")
        self.assertContains(response, PRIVATE_NEEDS_CONSENT)
