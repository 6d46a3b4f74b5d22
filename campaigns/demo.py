"""The demo pack's campaign: the demo feed run as a public campaign by the organizer account,
in English and Spanish, open for a year from when it was first seeded, embeddable from the
machine's own loopback addresses (so a newcomer can try the iframe snippet locally).
Re-running changes nothing."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import User
from django.utils import timezone

from campaigns.models import Campaign, CampaignText, PartnerLink
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
            "En campaña circulan vídeos que no son lo que parecen. Recorre el muro y di si "
            "cada publicación es real o falsa: son tres minutos y nadie te pregunta quién eres."
        ),
        "survey_question": "¿Qué tan seguro estás de que podrías detectar un vídeo falso?",
        "links": [("Cómo funcionan los cuestionarios", "https://telltale.example.org/about")],
    },
}


def seed_demo_campaign() -> str:
    quiz = Quiz.objects.filter(slug=QUIZ_SLUG, is_published=True).first()
    organizer = User.objects.filter(username="organizer").first()
    if quiz is None or organizer is None:
        return "Campaigns: no demo feed or organizer account, so no demo campaign."
    now = timezone.now()
    campaign, created = Campaign.objects.get_or_create(
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
    if created:
        for language, text in TEXTS.items():
            CampaignText.objects.create(
                campaign=campaign,
                language=language,
                title=text["title"],
                intro=text["intro"],
                survey_question=text["survey_question"],
            )
            for position, (label, url) in enumerate(text["links"]):
                PartnerLink.objects.create(
                    campaign=campaign, language=language, label=label, url=url, position=position
                )
    return f"Campaigns: {SLUG} at /c/{SLUG}/ (embed: /c/{SLUG}/embed/)."
