"""The shareable result: a public page with Open Graph tags and a PNG card. Neither carries
personal data: the quiz's title and the score, nothing about who took it."""

from __future__ import annotations

from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from quiz.models import Attempt
from quiz.share_card import render_share_card
from quiz.sharing import share_summary


def _finished_attempt(uid: UUID) -> Attempt:
    attempt = Attempt.objects.select_related("quiz").filter(uid=uid).first()
    # Only finished attempts are shared: a half-done score is not a result.
    if attempt is None or not attempt.is_finished:
        raise Http404
    return attempt


def site_address(request: HttpRequest) -> str:
    """The address the card was fetched from (a host Django has checked against ALLOWED_HOSTS),
    as people type it: no scheme, no default port."""
    host = request.get_host()
    return host.removesuffix(":443" if request.is_secure() else ":80")


@require_safe
def share_page(request: HttpRequest, uid: UUID) -> HttpResponse:
    attempt = _finished_attempt(uid)
    return render(request, "quiz/share.html", {"attempt": attempt, **share_summary(attempt)})


@require_safe
def share_card(request: HttpRequest, uid: UUID) -> HttpResponse:
    attempt = _finished_attempt(uid)
    summary = share_summary(attempt)
    png = render_share_card(
        quiz_title=attempt.quiz.title,
        correct=summary["correct"],
        total=summary["total"],
        headline=summary["headline"],
        site=site_address(request),
    )
    return HttpResponse(
        png, content_type="image/png", headers={"Cache-Control": "public, max-age=86400"}
    )
