"""A campaign: a published quiz run in public for a while, under an organizer's name, texts and
colours, embeddable on the partner sites the organizer lists."""

from __future__ import annotations

import random
import re
import uuid
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from media_library.roles import Role, has_role
from quiz.models import Item, Quiz

if TYPE_CHECKING:
    from campaigns.models.participation import Participation

HEX_COLOUR = RegexValidator(
    r"^#[0-9a-fA-F]{6}$", _("Give the colour as # and six hex digits, e.g. #2f5bd3.")
)
# The paper and white the accent is drawn on and under (static/css/site.css): it must read on
# both at the 4.5:1 WCAG asks of body text, because links and button labels use it.
BACKGROUNDS = ("#ffffff", "#f7f6f2")
MIN_CONTRAST = 4.5
DEFAULT_ACCENT = "#2f5bd3"
# Paths under /c/ that a campaign slug must not take.
RESERVED_SLUGS = frozenset({"new", "manage", "embed", "static", "media"})


def language_name(code: str) -> str:
    return str(dict(settings.LANGUAGES).get(code, code))


def nearest_language(languages: list[str], requested: str | None) -> str | None:
    """The one of `languages` that `requested` asks for: the same code, or the same language
    in another region ("es-MX" gets "es", "zh-CN" gets "zh-hans"); None when none is."""
    if not requested:
        return None
    requested = requested.strip().lower()
    for code in languages:
        if requested == code or requested.split("-")[0] == code.split("-")[0]:
            return code
    return None


def _luminance(hex_colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_ratio(first: str, second: str) -> float:
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def normalised_origin(value: str) -> str:
    """A site allowed to embed, as the browser names it in CSP: scheme://host[:port], nothing
    after. https only, except for a machine's own loopback names (a partner testing locally)."""
    value = value.strip().rstrip("/")
    parts = urlsplit(value)
    loopback = parts.hostname in ("localhost", "127.0.0.1", "::1")
    if parts.scheme not in ("https", "http") or (parts.scheme == "http" and not loopback):
        raise ValidationError(
            _("%(site)s: a site allowed to embed must start with https://.") % {"site": value}
        )
    if not parts.hostname or parts.path or parts.query or parts.fragment or parts.username:
        raise ValidationError(
            _("%(site)s: give only the site, like https://news.example.org, with no page path.")
            % {"site": value}
        )
    if not re.fullmatch(r"[a-z0-9.\-\[\]:]+", parts.netloc.lower()):
        raise ValidationError(_("%(site)s is not a site address.") % {"site": value})
    return f"{parts.scheme}://{parts.netloc.lower()}"


class CampaignQuerySet(models.QuerySet["Campaign"]):
    def run_by(self, user) -> CampaignQuerySet:
        """The campaigns a user may manage: an organizer's own; staff see all."""
        if user.is_staff or user.is_superuser:
            return self.all()
        if not has_role(user, Role.ORGANIZER):
            return self.none()
        return self.filter(organizer=user)


class Campaign(models.Model):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(
        max_length=60,
        unique=True,
        help_text=_("The campaign's address: /c/<slug>/. Letters, digits and hyphens."),
    )
    organizer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="campaigns"
    )
    # PROTECT: a campaign's answers are records (the quiz's attempts protect it too).
    quiz = models.ForeignKey(Quiz, on_delete=models.PROTECT, related_name="campaigns")
    # Language codes from settings.LANGUAGES, the first being the one a visitor gets when their
    # browser asks for none of them. Each has its texts in CampaignText.
    languages = models.JSONField(default=list)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    accent_colour = models.CharField(max_length=7, default=DEFAULT_ACCENT, validators=[HEX_COLOUR])
    # Re-encoded by Pillow on upload (campaigns.forms): never the uploaded bytes.
    logo = models.FileField(upload_to="campaigns/logos/", blank=True)
    embed_origins = models.JSONField(default=list, blank=True)
    survey_enabled = models.BooleanField(
        default=True, help_text=_("Ask the one survey question before and after the quiz.")
    )
    booster_enabled = models.BooleanField(
        default=True,
        help_text=_("Offer a short second round after 14 days, through a link to bookmark."),
    )
    booster_size = models.PositiveSmallIntegerField(default=6)
    created_at = models.DateTimeField(auto_now_add=True)
    # Changes on every save: the cached public pages key on it, so an edit shows at once.
    updated_at = models.DateTimeField(auto_now=True)

    objects = CampaignQuerySet.as_manager()

    BOOSTER_AFTER_DAYS = 14

    class Meta:
        ordering = ["-starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="campaigns_campaign_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.slug

    def get_absolute_url(self) -> str:
        return reverse("campaigns:landing", args=[self.slug])

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.slug in RESERVED_SLUGS:
            errors["slug"] = _("That address is taken by Telltale itself; choose another.")
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("The campaign must end after it starts.")
        if self.quiz_id and not self.quiz.is_published:
            errors["quiz"] = _("Only a published quiz can be run as a campaign.")
        if self.accent_colour and HEX_COLOUR.regex.match(self.accent_colour):
            worst = min(contrast_ratio(self.accent_colour, bg) for bg in BACKGROUNDS)
            if worst < MIN_CONTRAST:
                errors["accent_colour"] = _(
                    "Text in this colour reads at %(ratio).1f:1 on the light page; it needs at "
                    "least %(min).1f:1 to be readable. Choose a darker colour."
                ) % {"ratio": worst, "min": MIN_CONTRAST}
        known = dict(settings.LANGUAGES)
        if not self.languages:
            errors["languages"] = _("Choose at least one language.")
        elif any(code not in known for code in self.languages):
            errors["languages"] = _("Choose languages from the list.")
        if errors:
            raise ValidationError(errors)

    # --- dates ---

    def status(self, now: datetime | None = None) -> str:
        now = now or timezone.now()
        if now < self.starts_at:
            return "upcoming"
        if now >= self.ends_at:
            return "ended"
        return "open"

    def is_open(self, now: datetime | None = None) -> bool:
        return self.status(now) == "open"

    # --- languages and texts ---

    @property
    def default_language(self) -> str:
        return self.languages[0] if self.languages else settings.LANGUAGE_CODE

    def language_for(self, requested: str | None) -> str:
        """The campaign's language nearest the one asked for ("es-MX" gets "es"), else its
        first."""
        return nearest_language(self.languages, requested) or self.default_language

    def text_for(self, language: str) -> CampaignText | None:
        texts = {text.language: text for text in self.texts.all()}
        return texts.get(language) or texts.get(self.default_language)

    def partner_links_for(self, language: str) -> list[PartnerLink]:
        return [link for link in self.partner_links.all() if link.language == language]

    # --- dealing ---

    def deal(self, rng: random.Random | None = None) -> list[Item]:
        """The first round's items: the quiz's draw, never a clip whose truth a visitor can
        have seen elsewhere on the site (a teaching example), whatever the quiz's mode,
        because a campaign measures what the public can tell."""
        return self.quiz.draw(rng, unexposed=True)

    def deal_booster(self, first: Participation, rng: random.Random | None = None) -> list[Item]:
        """A short second round, preferring items the visitor has not seen."""
        rng = rng or random.SystemRandom()
        pool = list(self.quiz.pool_matching(Item.objects.available().unexposed()))
        if not pool:
            return []
        seen = set(first.attempt.entries.values_list("item_id", flat=True))
        fresh = [item for item in pool if item.pk not in seen]
        again = [item for item in pool if item.pk in seen]
        rng.shuffle(fresh)
        rng.shuffle(again)
        return (fresh + again)[: self.booster_size]


class CampaignText(models.Model):
    """What a campaign says, in one of its languages."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(max_length=12)
    title = models.CharField(max_length=120)
    intro = models.TextField(max_length=2000)
    survey_question = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["campaign", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "language"], name="campaigns_text_once_per_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"


class PartnerLink(models.Model):
    """A page the campaign points visitors to (the election authority's fact checks), in one
    language."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="partner_links")
    language = models.CharField(max_length=12)
    label = models.CharField(max_length=120)
    url = models.URLField(max_length=500)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["campaign", "language", "position", "pk"]

    def __str__(self) -> str:
        return self.label
