"""What campaigns hand the lower apps (registered from CampaignsConfig.ready()): where a
campaign attempt's results are shown, and the gate that takes no answers once a campaign has
ended."""

from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from campaigns.models import Participation
from media_library import links
from quiz import answer_gates
from quiz.models import Attempt

# {attempt uid: when its campaign closes}, for the gate to answer without a query.
SESSION_CLOSES = "campaign_closes"
SESSION_CLOSES_KEPT = 20


def remember_closing(request: HttpRequest, attempt: Attempt, ends_at) -> None:
    closes = dict(list(request.session.get(SESSION_CLOSES, {}).items())[-SESSION_CLOSES_KEPT + 1 :])
    closes[str(attempt.uid)] = ends_at.isoformat()
    request.session[SESSION_CLOSES] = closes


def closed_campaign_gate(request: HttpRequest, uid: UUID) -> str | None:
    ends = request.session.get(SESSION_CLOSES, {}).get(str(uid))
    if ends and timezone.now() >= parse_datetime(ends):
        return _("This campaign has ended, so no more answers are taken. Thank you for playing.")
    return None


def campaign_result(attempt: Attempt) -> links.Link | None:
    slug = (
        Participation.objects.filter(attempt=attempt)
        .values_list("campaign__slug", flat=True)
        .first()
    )
    if slug is None:
        return None
    return links.Link(reverse("campaigns:result", args=[slug, attempt.uid]))


def register() -> None:
    links.register(links.ATTEMPT_RESULTS, campaign_result)
    answer_gates.register("campaigns", closed_campaign_gate)
