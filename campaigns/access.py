"""Who may manage which campaign.

Organizers (and staff) open the organizer area; an organizer reaches only their own campaigns,
staff reach all. Another organizer's campaign is 404, never 403: whether a campaign of that
name is run by someone else is none of the asker's business (its public page says only what
the public may know).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest

from campaigns.models import Campaign
from media_library.roles import Role, role_required

organizer_required = role_required(Role.ORGANIZER, staff=True)


def get_campaign_for_organizer(request: HttpRequest, slug: str) -> Campaign:
    """A campaign the requester may manage, or 404."""
    try:
        return Campaign.objects.run_by(request.user).select_related("quiz").get(slug=slug)
    except Campaign.DoesNotExist:
        raise Http404 from None
