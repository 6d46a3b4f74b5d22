"""The demo pack's campaign: the demo feed run as a public campaign by the organizer account,
in English, Spanish and simplified Chinese, open for a year from when it was first seeded,
embeddable from the machine's own loopback addresses (so a newcomer can try the iframe snippet
locally).

Re-running changes nothing, but for adding a language an earlier run's campaign lacks (its
texts and links; a demo seeded when there were two languages gets the third). Texts an
organizer edited are kept.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import User
from django.utils import timezone

from campaigns.models import Campaign, CampaignText, PartnerLink
from languages.commands import gettext as _
from quiz.models import Quiz

SLUG = "demo-election"
QUIZ_SLUG = "demo-feed"
TEXTS = {
    "en": {
        "title": "Before you vote: real or fake?",
        "intro": (
            "Election season brings clips that are not what they seem. Scroll the feed and "
            "call each post real or fake: it takes three minutes, and nobody asks who you are."
        ),
        "survey_question": "How sure are you that you could spot a fake video?",
        "links": [("How Telltale's quizzes work", "https://telltale.example.org/about")],
    },
    "es": {
        "title": "Antes de votar: ¿real o falso?",
        "intro": (
            "En época de elecciones circulan videos que no son lo que parecen. Recorre el muro "
            "y di si cada publicación es real o falsa: son tres minutos y nadie te pregunta "
            "quién eres."
        ),
        "survey_question": "¿Hasta qué punto crees que podrías detectar un video falso?",
        "links": [
            ("Cómo funcionan los cuestionarios de Telltale", "https://telltale.example.org/about")
        ],
    },
    "zh-hans": {
        "title": "投票之前：是真是假？",
        "intro": (
            "选举期间，总有一些视频并不像看上去那样。刷一刷这个信息流，判断每条帖子是真实的"
            "还是伪造的：只需三分钟，也没有人会问你是谁。"
        ),
        "survey_question": "你有多大把握能识别出伪造的视频？",
        "links": [("Telltale 的测验是怎么回事", "https://telltale.example.org/about")],
    },
}


def seed_demo_campaign() -> str:
    quiz = Quiz.objects.filter(slug=QUIZ_SLUG, is_published=True).first()
    organizer = User.objects.filter(username="organizer").first()
    if quiz is None or organizer is None:
        return _("Campaigns: no demo feed or organizer account, so no demo campaign.")
    now = timezone.now()
    campaign, _created = Campaign.objects.get_or_create(
        slug=SLUG,
        defaults={
            "organizer": organizer,
            "quiz": quiz,
            "languages": list(TEXTS),
            "starts_at": now - timedelta(hours=1),
            "ends_at": now + timedelta(days=365),
            "embed_origins": ["http://localhost:8000", "http://127.0.0.1:8000"],
        },
    )
    added = [language for language in TEXTS if language not in campaign.languages]
    campaign.languages = [*campaign.languages, *added]
    written = set(campaign.texts.values_list("language", flat=True))
    linked = set(campaign.partner_links.values_list("language", flat=True))
    for language, text in TEXTS.items():
        if language not in written:
            added.append(language)
            CampaignText.objects.create(
                campaign=campaign,
                language=language,
                title=text["title"],
                intro=text["intro"],
                survey_question=text["survey_question"],
            )
        if language not in linked:
            added.append(language)
            for position, (label, url) in enumerate(text["links"]):
                PartnerLink.objects.create(
                    campaign=campaign, language=language, label=label, url=url, position=position
                )
    if added:
        # updated_at too: the cached public pages key on it, so they show the new language.
        campaign.save(update_fields=["languages", "updated_at"])
    return _("Campaigns: %(slug)s at %(landing)s (embed: %(embed)s).") % {
        "slug": SLUG,
        "landing": f"/c/{SLUG}/",
        "embed": f"/c/{SLUG}/embed/",
    }
