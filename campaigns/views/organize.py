"""The organizer's side: their campaigns, the form that makes and edits one, and its dashboard
(page and CSV). Access goes through campaigns.access: organizers reach their own campaigns,
staff all of them."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from campaigns.access import get_campaign_for_organizer, organizer_required
from campaigns.dashboard import Dashboard
from campaigns.forms import CampaignEditor
from campaigns.models import Campaign

FORM = "campaigns/organize/campaign_form.html"


@organizer_required
@require_GET
def manage_list(request: HttpRequest) -> HttpResponse:
    campaigns = Campaign.objects.run_by(request.user).select_related("quiz", "organizer")
    return render(request, "campaigns/organize/campaign_list.html", {"campaigns": campaigns})


@organizer_required
@require_http_methods(["GET", "POST"])
def manage_create(request: HttpRequest) -> HttpResponse:
    editor = CampaignEditor(
        Campaign(organizer=request.user), request.POST or None, request.FILES or None
    )
    if request.method == "POST" and editor.is_valid():
        campaign = editor.save()
        messages.success(request, _("The campaign is saved. Copy the snippet below to embed it."))
        return redirect("campaigns:manage-edit", campaign.slug)
    return render(request, FORM, _form_context(request, editor))


@organizer_required
@require_http_methods(["GET", "POST"])
def manage_edit(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = get_campaign_for_organizer(request, slug)
    editor = CampaignEditor(campaign, request.POST or None, request.FILES or None)
    if request.method == "POST" and editor.is_valid():
        campaign = editor.save()
        messages.success(request, _("The campaign is saved."))
        return redirect("campaigns:manage-edit", campaign.slug)
    # The snippet and links name the campaign as stored, not a slug the form has not saved.
    saved = get_campaign_for_organizer(request, slug) if editor.has_errors else campaign
    return render(request, FORM, _form_context(request, editor, saved))


def _form_context(request: HttpRequest, editor: CampaignEditor, saved: Campaign | None = None):
    context = {"editor": editor, "form": editor.form, "campaign": saved}
    if saved is not None:
        embed_url = request.build_absolute_uri(reverse("campaigns:embed", args=[saved.slug]))
        title = saved.text_for(saved.default_language)
        context["embed_snippet"] = (
            f'<iframe src="{embed_url}" title="{_escape(title.title if title else saved.slug)}"'
            ' width="100%" height="720" style="border:0" allow="fullscreen" loading="lazy">'
            "</iframe>"
        )
    return context


def _escape(text: str) -> str:
    # The snippet is shown as text (autoescaped once more on the page); inside it, the title
    # must be a safe attribute value for the partner's page.
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


@organizer_required
@require_GET
@never_cache
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = get_campaign_for_organizer(request, slug)
    return render(
        request,
        "campaigns/organize/dashboard.html",
        {
            "campaign": campaign,
            "dashboard": Dashboard.of(campaign),
            "min_cell": settings.CAMPAIGN_MIN_CELL,
        },
    )


@organizer_required
@require_GET
def dashboard_csv(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = get_campaign_for_organizer(request, slug)
    return HttpResponse(
        Dashboard.of(campaign).csv(),
        content_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="campaign-{campaign.slug}.csv"',
            "Cache-Control": "private, no-store",
        },
    )
