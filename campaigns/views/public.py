"""The public's journey through a campaign: no account, no sign-up.

Landing (or the closed page outside the campaign's dates) → start (the optional survey
question before) → the quiz engine's own pages → the campaign's result page (discernment, the
survey question after, the share card, partner links, the booster's bookmark) → a booster
round 14 days later. The landing, closed, privacy and share pages read neither the session nor
the user and are served from the shared cache (campaigns/page_cache.py).

Embedded in a partner's page, the same journey starts from `embed`, and the visit's session
rides on its address (campaigns/embedding.py).
"""

from __future__ import annotations

from uuid import UUID

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from campaigns import hooks
from campaigns.embedding import SESSION_EMBED, pass_prefix, without_pass
from campaigns.forms_public import SurveyForm
from campaigns.models import Campaign, Participation, Round, language_name
from campaigns.models.campaign import DEFAULT_ACCENT, HEX_COLOUR, nearest_language
from campaigns.page_cache import TIMEOUT_SECONDS, cached_page, campaign_languages, version
from campaigns.results import discernment
from languages.choice import supported
from media_library import links
from media_library.throttle import Rule, by_account_or_session, by_address, rate_limited
from quiz.access import get_attempt
from quiz.models import Attempt
from quiz.share_card import render_share_card
from quiz.views.share import site_address

LANDING = "campaigns/public/landing.html"
# Starting is cheap to ask for and makes rows: a flood is refused before any query.
START_LIMITS = (
    Rule("campaign-start-session", "QUIZ_STARTS_PER_SESSION", 10 * 60, by_account_or_session),
    Rule("campaign-start-address", "QUIZ_STARTS_PER_ADDRESS", 10 * 60, by_address),
)
TOO_FAST = gettext_lazy("Too many starts from here at once. Wait a minute, then try again.")
# Why a start sent the visitor back to the landing (?problem=…): a closed list, so that the
# cached landing keeps one copy per problem, not one per made-up value.
START_PROBLEMS = {
    "empty": gettext_lazy("This quiz has no clips ready yet. Please come back later."),
    "survey": gettext_lazy(
        "That answer to the question is not one of its choices. Pick one, or leave it blank."
    ),
}


def _campaign(slug: str) -> Campaign:
    return get_object_or_404(
        Campaign.objects.select_related("quiz").prefetch_related("texts", "partner_links"),
        slug=slug,
    )


def _language(languages: list[str]) -> str:
    """The page's language among the campaign's: the one its address names (or the one the
    visitor's browser asked for, languages/middleware.py), else the campaign's first. A
    campaign not written in it shows its first language's text, with a note."""
    default = languages[0] if languages else settings.LANGUAGE_CODE
    return nearest_language(languages, translation.get_language()) or default


def _in_language(request: HttpRequest, language: str) -> str:
    """This page's address in `language`, without ?lang= (which named the language before
    the address did) and with the rest of the query."""
    match = request.resolver_match
    with translation.override(language):
        path = reverse(match.view_name, args=match.args, kwargs=match.kwargs)
    query = request.GET.copy()
    query.pop("lang", None)
    return f"{path}?{query.urlencode()}" if query else path


def _old_language_link(request: HttpRequest) -> HttpResponse | None:
    """A link from before the language was in the address (/c/x/?lang=es) goes there."""
    language = supported(request.GET.get("lang"))
    if "lang" not in request.GET:
        return None
    return redirect(_in_language(request, language or settings.LANGUAGE_CODE), permanent=True)


def _page_context(campaign: Campaign, language: str, **extra) -> dict:
    return {
        "campaign": campaign,
        "language": language,
        "text": campaign.text_for(language),
        "partner_links": campaign.partner_links_for(language),
        "status": campaign.status(),
        "language_choices": [(code, language_name(code)) for code in campaign.languages],
        "retention_months": settings.ANSWER_RETENTION_MONTHS,
        # A page under a visit's pass gives its own, without the pass (see `result`).
        "privacy_url": reverse("campaigns:privacy", args=[campaign.slug]),
        **extra,
    }


def _until_next_change(campaign: Campaign) -> int:
    """Seconds until the campaign opens or closes: a cached page must not outlive that."""
    now = timezone.now()
    upcoming = [moment for moment in (campaign.starts_at, campaign.ends_at) if moment > now]
    return int((min(upcoming) - now).total_seconds()) + 1 if upcoming else TIMEOUT_SECONDS


def _landing(request: HttpRequest, slug: str, *, embedded: bool) -> HttpResponse:
    if moved := _old_language_link(request):
        return moved
    language = _language(campaign_languages(slug))
    problem = request.GET.get("problem", "")
    if problem not in START_PROBLEMS:
        problem = ""

    def page() -> HttpResponse:
        campaign = _campaign(slug)
        with translation.override(language):
            context = _page_context(
                campaign,
                language,
                embedded=embedded,
                survey_form=SurveyForm(campaign, language),
                problem=START_PROBLEMS.get(problem, ""),
            )
            template = f"{LANDING}#main" if request.htmx else LANDING
            response = render(request, template, context)
        response.cache_seconds = _until_next_change(campaign)
        if embedded:
            response.frame_origins = campaign.embed_origins
        return response

    # Keyed on the language chosen, not the header sent: a flood of made-up Accept-Language
    # values finds the same few copies.
    parts = ("landing", slug, version(slug), embedded, translation.get_language(), problem)
    return cached_page(request, parts, page)


@require_safe
def landing(request: HttpRequest, slug: str) -> HttpResponse:
    return _landing(request, slug, embedded=False)


@require_safe
def embed(request: HttpRequest, slug: str) -> HttpResponse:
    """The landing inside a partner's iframe: framable by the campaign's sites only."""
    return _landing(request, slug, embedded=True)


@require_safe
def privacy(request: HttpRequest, slug: str) -> HttpResponse:
    if moved := _old_language_link(request):
        return moved
    language = _language(campaign_languages(slug))

    def page() -> HttpResponse:
        campaign = _campaign(slug)
        with translation.override(language):
            context = _page_context(campaign, language)
            return render(request, "campaigns/public/privacy.html", context)

    parts = ("privacy", slug, version(slug), translation.get_language())
    return cached_page(request, parts, page)


@require_safe
def theme(request: HttpRequest, slug: str) -> HttpResponse:
    """The campaign's colours as a stylesheet: the CSP allows no inline styles."""
    campaign = get_object_or_404(Campaign.objects.only("accent_colour"), slug=slug)
    # Checked again here, not only by the form: whatever reached the column (the admin, a
    # script) must not become CSS of its own.
    colour = campaign.accent_colour
    if not HEX_COLOUR.regex.fullmatch(colour):
        colour = DEFAULT_ACCENT
    response = HttpResponse(f":root {{ --accent: {colour}; }}\n", content_type="text/css")
    patch_cache_control(response, public=True, max_age=300)
    return response


@require_safe
def logo(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = get_object_or_404(Campaign.objects.only("logo"), slug=slug)
    if not campaign.logo:
        raise Http404
    with campaign.logo.open("rb") as stored:
        data = stored.read()
    response = HttpResponse(data, content_type="image/png")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = 'inline; filename="logo.png"'
    patch_cache_control(response, public=True, max_age=300)
    return response


# --- starting: a POST from a cached page, which carries no CSRF token ---


def _session_for_embed() -> SessionBase:
    return import_string(f"{settings.SESSION_ENGINE}.SessionStore")()


@csrf_exempt  # the landing is cached for everyone; starting grants nothing (see below)
@require_POST
@rate_limited(*START_LIMITS, message=TOO_FAST)
def start(request: HttpRequest, slug: str) -> HttpResponse:
    """Start a visitor's first round. No CSRF token: the landing that posts here is one
    cached page for everyone, and a forged start only gives its victim a new anonymous
    attempt of their own, which grants the forger nothing."""
    campaign = _campaign(slug)
    language = campaign.language_for(request.POST.get("language"))
    embedded = request.POST.get("embedded") == "1"
    landing_url = reverse("campaigns:embed" if embedded else "campaigns:landing", args=[slug])
    if not campaign.is_open():
        return redirect(landing_url)
    survey = SurveyForm(campaign, language, request.POST)
    if not survey.is_valid():
        return redirect(f"{landing_url}?problem=survey")
    # An embedded visit gets a session of its own, never the browser's first-party one: its
    # key goes into the visit's addresses.
    visit = _session_for_embed() if embedded else request.session
    first_party, request.session = request.session, visit
    try:
        try:
            with transaction.atomic():
                attempt = Attempt.objects.start_with_items(
                    campaign.quiz, campaign.deal(), request, anonymous=True
                )
                Participation.objects.create(
                    campaign=campaign,
                    attempt=attempt,
                    language=language,
                    survey_before=survey.cleaned_data.get("answer"),
                )
        except ValidationError:
            return redirect(f"{landing_url}?problem=empty")
        hooks.remember_closing(request, attempt, campaign.ends_at)
        if embedded:
            text = campaign.text_for(language)
            visit[SESSION_EMBED] = {
                "origins": campaign.embed_origins,
                "slug": campaign.slug,
                "title": text.title if text else "",
            }
            visit.save()
    finally:
        request.session = first_party
    with translation.override(language):  # the round goes on in the language it began in
        target = attempt.first_page_url()
    return redirect(pass_prefix(visit.session_key) + target if embedded else target)


# --- the visitor's own pages: never cached ---


def _participation(request: HttpRequest, slug: str, uid: UUID) -> Participation:
    attempt = get_attempt(request, uid)
    participation = (
        Participation.objects.select_related("campaign", "attempt__quiz")
        .prefetch_related("campaign__texts", "campaign__partner_links")
        .filter(attempt=attempt, campaign__slug=slug)
        .first()
    )
    if participation is None:
        raise Http404
    return participation


def _public_url(request: HttpRequest, path: str) -> str:
    """An address to give away (a share link, a bookmark): the visit's pass taken off."""
    return request.build_absolute_uri(without_pass(path, request))


@never_cache
def result(request: HttpRequest, slug: str, uid: UUID) -> HttpResponse:
    participation = _participation(request, slug, uid)
    attempt = participation.attempt
    attempt.finish_if_complete()
    if not attempt.is_finished:
        return redirect("quiz:attempt", attempt.uid)
    return _result_page(request, participation)


def _result_page(
    request: HttpRequest, participation: Participation, survey_form: SurveyForm | None = None
) -> HttpResponse:
    """The finished round's page; `survey_form`, a survey answer sent back with its error."""
    campaign = participation.campaign
    slug, language = campaign.slug, campaign.language_for(translation.get_language())
    booster_key = participation.offer_booster()
    lessons = links.resolve(links.LESSONS)
    if survey_form is None and campaign.survey_enabled and participation.survey_after is None:
        survey_form = SurveyForm(campaign, language, after=True)
    with translation.override(language):
        context = _page_context(
            campaign,
            language,
            participation=participation,
            discernment=discernment(participation),
            survey_form=survey_form,
            share_url=_public_url(
                request, reverse("campaigns:share", args=[slug, participation.share_key])
            ),
            booster_url=_public_url(request, reverse("campaigns:booster", args=[slug, booster_key]))
            if booster_key
            else "",
            # Both open in a new tab, a first-party page that answers nothing under the pass.
            privacy_url=without_pass(reverse("campaigns:privacy", args=[slug]), request),
            lessons_url=without_pass(lessons.url, request) if lessons else "",
        )
        return render(request, "campaigns/public/result.html", context)


@require_POST
@never_cache
def survey_after(request: HttpRequest, slug: str, uid: UUID) -> HttpResponse:
    participation = _participation(request, slug, uid)
    campaign = participation.campaign
    language = campaign.language_for(translation.get_language())
    form = SurveyForm(campaign, language, request.POST, after=True)
    with translation.override(language):
        valid = form.is_valid()  # its messages in the visitor's language
    if not form.asks or participation.survey_after is not None:
        pass  # nothing asked, or answered already: the first answer stands
    elif not valid:
        # Nothing chosen, or a value off the scale: the page again, saying what is wrong.
        return _result_page(request, participation, survey_form=form)
    else:
        # Once: a second post (a double click, a replay) never changes the first answer.
        Participation.objects.filter(pk=participation.pk, survey_after__isnull=True).update(
            survey_after=form.cleaned_data["answer"]
        )
    target = reverse("campaigns:result", args=[slug, uid])
    return redirect(f"{target}#survey")


# --- sharing: public, no personal data ---


def _shared(slug: str, key: str) -> Participation:
    participation = (
        Participation.objects.select_related("campaign", "attempt")
        .prefetch_related("campaign__texts")
        .filter(share_key=key, campaign__slug=slug, attempt__finished_at__isnull=False)
        .first()
    )
    if participation is None:
        raise Http404
    return participation


@require_safe
def share(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    def page() -> HttpResponse:
        participation = _shared(slug, key)
        campaign = participation.campaign
        language = campaign.language_for(translation.get_language())
        with translation.override(language):
            context = _page_context(
                campaign,
                language,
                discernment=discernment(participation),
                card_url=request.build_absolute_uri(
                    reverse("campaigns:share-card", args=[slug, key])
                ),
                page_url=request.build_absolute_uri(reverse("campaigns:share", args=[slug, key])),
            )
            return render(request, "campaigns/public/share.html", context)

    parts = ("share", slug, version(slug), key, request.get_host(), translation.get_language())
    return cached_page(request, parts, page, timeout=3600)


@require_safe
def share_card(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    site = f"{site_address(request)}/c/{slug}"

    def card() -> HttpResponse:
        participation = _shared(slug, key)
        campaign, language = participation.campaign, participation.language
        with translation.override(language):
            text = campaign.text_for(language)
            png = render_share_card(
                quiz_title=text.title if text else campaign.slug,
                correct=participation.correct,
                total=participation.answered,
                headline=discernment(participation).share_line,
                site=site,
            )
        return HttpResponse(png, content_type="image/png")

    parts = ("card", slug, version(slug), key, site)
    response = cached_page(request, parts, card, timeout=3600)
    patch_cache_control(response, max_age=86400)
    return response


# --- the booster: a bookmark, no e-mail, no account ---


@never_cache
def booster(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    first = (
        Participation.objects.select_related("campaign__quiz", "attempt")
        .prefetch_related("campaign__texts", "campaign__partner_links")
        .filter(booster_key=key, campaign__slug=slug, round=Round.FIRST)
        .first()
    )
    if first is None:
        raise Http404
    campaign = first.campaign
    language = campaign.language_for(translation.get_language())
    done = first.booster()
    if done is not None and request.method == "GET":
        owned = Attempt.objects.owned_by(request).filter(pk=done.attempt_id).exists()
        if owned:
            return redirect("quiz:attempt", done.attempt.uid)
    if request.method == "POST" and done is None and first.booster_is_open() and campaign.is_open():
        try:
            with transaction.atomic():
                # One booster per bookmark, however many tabs post at once.
                locked = Participation.objects.select_for_update().get(pk=first.pk)
                if not locked.boosters.exists():
                    attempt = Attempt.objects.start_with_items(
                        campaign.quiz, campaign.deal_booster(first), request, anonymous=True
                    )
                    Participation.objects.create(
                        campaign=campaign,
                        attempt=attempt,
                        round=Round.BOOSTER,
                        first=first,
                        language=language,
                    )
                    hooks.remember_closing(request, attempt, campaign.ends_at)
                    return redirect(attempt.first_page_url())
        except ValidationError:
            pass
        return redirect("campaigns:booster", slug, key)
    with translation.override(language):
        context = _page_context(
            campaign,
            language,
            first=first,
            done=done,
            opens_at=first.booster_opens_at,
            is_open=first.booster_is_open(),
        )
        return render(request, "campaigns/public/booster.html", context)
