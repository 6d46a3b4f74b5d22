from __future__ import annotations

import re

from django.http import HttpResponse
from django.urls import reverse

from media_library.models import ProcessingStatus, PublicationState
from tests.base import BaseTestCase
from tests.factories import make_clip
from tests.script_nonces import scripts_without_nonce


class HomePageTests(BaseTestCase):
    def test_it_sends_a_strict_csp_with_a_nonce_on_every_script(self) -> None:
        response = self.client.get(reverse("home"))
        policy = response.headers["Content-Security-Policy"]
        nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
        self.assertIn("default-src 'self'", policy)
        self.assertIn("object-src 'none'", policy)
        scripts = re.findall(r"<script\b[^>]*>", response.content.decode())
        self.assertTrue(scripts, "the page loads htmx")
        for tag in scripts:
            self.assertIn(f'nonce="{nonce}"', tag)
            self.assertIn("src=", tag, "no inline scripts")

    def test_it_makes_no_third_party_requests(self) -> None:
        html = self.client.get(reverse("home")).content.decode()
        self.assertEqual(re.findall(r'(?:src|href)="(?:https?:)?//[^"]+"', html), [])

    def test_it_counts_only_published_clips(self) -> None:
        make_clip("Draft", processing_status=ProcessingStatus.READY)
        make_clip(
            "Live",
            processing_status=ProcessingStatus.READY,
            publication_state=PublicationState.PUBLISHED,
        )
        self.assertContains(self.client.get(reverse("home")), "1 clip is published")

    def test_it_shows_the_curator_link_only_to_curators(self) -> None:
        curate = reverse("media_library:clip-list")
        self.assertNotContains(self.client.get(reverse("home")), curate)
        self.client.force_login(self.student)
        self.assertNotContains(self.client.get(reverse("home")), curate)
        self.client.force_login(self.curator)
        self.assertContains(self.client.get(reverse("home")), curate)


class ScriptNonceCheckTests(BaseTestCase):
    """The check tests/conftest.py runs on every page the suite renders, itself checked."""

    def page(self, html: str, policy: str = "script-src 'self' 'nonce-abc'") -> HttpResponse:
        return HttpResponse(html, headers={"Content-Security-Policy": policy})

    def test_it_passes_scripts_that_carry_the_nonce(self) -> None:
        self.assertEqual(scripts_without_nonce(self.page('<script src="/a.js" nonce="abc">')), [])

    def test_it_names_scripts_without_the_nonce_or_with_another(self) -> None:
        page = self.page('<script src="/a.js" defer><SCRIPT src="/b.js" nonce="xyz">')
        self.assertEqual(
            scripts_without_nonce(page),
            ['<script src="/a.js" defer>', '<SCRIPT src="/b.js" nonce="xyz">'],
        )

    def test_it_names_every_script_when_the_policy_has_no_nonce(self) -> None:
        page = self.page('<script src="/a.js" nonce="abc">', policy="script-src 'self'")
        self.assertEqual(len(scripts_without_nonce(page)), 1)


class ErrorPageTests(BaseTestCase):
    def test_it_renders_branded_error_pages(self) -> None:
        self.client.force_login(self.student)
        refused = self.client.get(reverse("media_library:clip-list"))
        self.assertContains(refused, "You can't open this page", status_code=403)
        self.assertContains(refused, "favicon.svg", status_code=403)
        missing = self.client.get("/no-such-page/")
        self.assertContains(missing, "Page not found", status_code=404)
