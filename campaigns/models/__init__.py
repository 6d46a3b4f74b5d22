from campaigns.models.campaign import (
    Campaign,
    CampaignQuerySet,
    CampaignText,
    PartnerLink,
    language_name,
)
from campaigns.models.participation import ItemTally, Participation, Round

__all__ = [
    "Campaign",
    "CampaignQuerySet",
    "CampaignText",
    "ItemTally",
    "Participation",
    "PartnerLink",
    "Round",
    "language_name",
]
