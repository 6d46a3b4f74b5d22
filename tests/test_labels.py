"""The visible "manipulated media" label and the demo badge, alone and on the curator pages."""

from __future__ import annotations

import re

from django.template import Context, Template
from django.urls import reverse

from media_library.models import Clip, Technique, Verdict
from tests.base import BaseTestCase
from tests.factories import ready_clip


def render(source: str, clip: Clip) -> str:
    return Template("{% load media_labels %}" + source).render(Context({"clip": clip}))


def text_of(html: str) -> str:
    """What a reader sees: tags dropped, screen-reader-only text dropped, spaces squeezed."""
    html = re.sub(r'<span class="visually-hidden">.*?</span>', "", html)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


class ManipulatedLabelTests(BaseTestCase):
    def test_it_names_the_technique_of_a_manipulated_clip(self) -> None:
        clip = ready_clip(verdict=Verdict.SHALLOWFAKE, technique=Technique.SPEED_CHANGE)
        html = render("{% manipulated_label clip %}", clip)
        self.assertIn('role="note"', html)
        self.assertEqual(text_of(html), "⚠ Manipulated media · Speed change")
        # Screen readers hear words, not the decorative icon and dot.
        self.assertIn('<span class="media-label-icon" aria-hidden="true">', html)
        self.assertIn('<span class="visually-hidden">: </span>', html)

    def test_a_deepfake_without_a_technique_is_named_by_its_verdict(self) -> None:
        clip = ready_clip(verdict=Verdict.DEEPFAKE)
        self.assertEqual(
            text_of(render("{% manipulated_label clip %}", clip)),
            "⚠ Manipulated media · Deepfake",
        )

    def test_a_clip_telltale_made_says_so(self) -> None:
        clip = ready_clip(
            verdict=Verdict.SHALLOWFAKE,
            technique=Technique.SPEED_CHANGE,
            recipe={"operation": "speed", "factor": 0.75},
        )
        self.assertEqual(
            text_of(render("{% manipulated_label clip %}", clip)),
            "⚠ Manipulated media · Speed change · Made by Telltale for teaching",
        )

    def test_real_clips_get_no_label(self) -> None:
        clip = ready_clip(verdict=Verdict.REAL, recipe={"operation": "copy"})
        self.assertEqual(render("{% manipulated_label clip %}", clip).strip(), "")

    def test_the_compact_form_is_marked_for_lists(self) -> None:
        clip = ready_clip(verdict=Verdict.DEEPFAKE, technique=Technique.FACE_SWAP)
        html = render("{% manipulated_label clip compact=True %}", clip)
        self.assertIn('class="media-label media-label-compact"', html)
        self.assertIn("Face swap", html)


class DemoBadgeTests(BaseTestCase):
    def test_demo_clips_are_badged_and_others_are_not(self) -> None:
        self.assertEqual(
            text_of(render("{% demo_badge clip %}", ready_clip("Demo", is_demo=True))), "Demo"
        )
        self.assertEqual(render("{% demo_badge clip %}", ready_clip("Curated")), "")


class CuratorPagesTests(BaseTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.curator)

    def test_the_clip_page_puts_the_label_right_under_the_player(self) -> None:
        clip = ready_clip(verdict=Verdict.SHALLOWFAKE, technique=Technique.SPLICE, is_demo=True)
        html = self.client.get(clip.get_absolute_url()).content.decode()
        frame_end = html.index('<div class="box-drawn" hidden></div>')
        label = html.index('<p class="media-label"')
        transport = html.index('<div class="transport')
        self.assertLess(frame_end, label)
        self.assertLess(label, transport)
        self.assertIn("Selective edit / splice", html[label:transport])
        self.assertIn('<span class="badge badge-demo"', html)

    def test_a_real_clip_page_has_no_label(self) -> None:
        clip = ready_clip(verdict=Verdict.REAL)
        response = self.client.get(clip.get_absolute_url())
        self.assertNotContains(response, "Manipulated media")
        self.assertNotContains(response, "badge-demo")

    def test_the_list_labels_only_the_manipulated_clips(self) -> None:
        ready_clip("Honest harbour", verdict=Verdict.REAL)
        ready_clip("Slowed speech", verdict=Verdict.SHALLOWFAKE, technique=Technique.SPEED_CHANGE)
        html = self.client.get(reverse("media_library:clip-list")).content.decode()
        rows = {
            title: row
            for row in html.split('<tr class="clip-row">')[1:]
            for title in ("Honest harbour", "Slowed speech")
            if title in row
        }
        self.assertIn("Manipulated media", rows["Slowed speech"])
        self.assertIn("media-label-compact", rows["Slowed speech"])
        self.assertNotIn("Manipulated media", rows["Honest harbour"])
