"""Taking a quiz: start, one item at a time (answer, then reveal), results and the share card.
A feed is one page of posts instead, each judged where it stands or scrolled past.

Every step is a plain form post or link; with htmx the item area (or the judged post) is swapped
in place instead (the same views answer with the page's partials). Nothing about a clip's truth
reaches the page before its answer is stored: the pre-answer partial gets no clip object at all,
only the attempt entry and opaque media URLs.
"""

from __future__ import annotations

from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect, push_url

from languages.fallbacks import falls_back, text_language
from media_library import links
from media_library.throttle import Rule, by_account_or_session, by_address, rate_limited
from quiz import answer_gates
from quiz.access import get_attempt, get_entry, visible_quiz
from quiz.attempt_media import canvas_for, is_matted, sent_size
from quiz.feed import byline
from quiz.forms import AnswerForm
from quiz.models import Attempt, AttemptItem, ItemKind, Mode, Quiz
from quiz.models.attempts import WITHDRAWN
from quiz.results import attempt_results
from quiz.reveal import build_reveal

ITEM = "quiz/item.html"
FEED = "quiz/feed.html"

# Flooding is refused before any query: the rules of a request are counted in one cache round
# trip. Answers are counted per account or session and per address together: the first holds
# back one client, however many share its address (a class behind one school address); the
# second one that drops its cookie to get a fresh session each time.
START_LIMITS = (
    Rule("quiz-start-session", "QUIZ_STARTS_PER_SESSION", 10 * 60, by_account_or_session),
    Rule("quiz-start-address", "QUIZ_STARTS_PER_ADDRESS", 10 * 60, by_address),
)
ANSWER_LIMITS = (
    Rule("quiz-answer", "QUIZ_ANSWERS_PER_MINUTE", 60, by_account_or_session),
    Rule("quiz-answer-address", "QUIZ_ANSWERS_PER_ADDRESS", 60, by_address),
)
TOO_FAST = gettext_lazy(
    "That was faster than anyone can watch a clip. Wait a minute, then carry on."
)


def quiz_list(request: HttpRequest) -> HttpResponse:
    quizzes = Quiz.objects.published().order_by("title")
    return render(request, "quiz/quiz_list.html", {"quizzes": quizzes})


def quiz_detail(request: HttpRequest, slug: str) -> HttpResponse:
    quiz = visible_quiz(request, get_object_or_404(Quiz, slug=slug))
    return render(request, "quiz/quiz_detail.html", {"quiz": quiz, "mode": quiz.quiz_mode})


@require_POST
@rate_limited(*START_LIMITS, message=TOO_FAST)
def quiz_start(request: HttpRequest, slug: str) -> HttpResponse:
    quiz = visible_quiz(request, get_object_or_404(Quiz, slug=slug))
    try:
        attempt = Attempt.objects.start(quiz, request)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect(quiz)
    return redirect(attempt.first_page_url())


@never_cache
def attempt_resume(request: HttpRequest, uid: UUID) -> HttpResponse:
    attempt = get_attempt(request, uid)
    entry = attempt.next_unanswered()
    if entry is None or attempt.is_finished:
        done = reverse("quiz:results", args=[attempt.uid])
        # The reveal's htmx "Next item" swaps the stage; the results are a whole page.
        return HttpResponseClientRedirect(done) if request.htmx else redirect(done)
    if attempt.attempt_mode == Mode.FEED:
        return redirect(post_url(attempt, entry.position))
    return redirect("quiz:item", attempt.uid, entry.position)


def post_url(attempt: Attempt, position: int) -> str:
    return f"{reverse('quiz:feed', args=[attempt.uid])}#post-{position}"


def _stage_context(request: HttpRequest, attempt: Attempt, entry: AttemptItem, **extra) -> dict:
    answer = getattr(entry, "answer", None)
    total = attempt.entries.count()
    context = {
        "attempt": attempt,
        "entry": entry,
        "mode": attempt.attempt_mode,
        "total": total,
        "is_last": entry.position == total,
        "answered": answer is not None,
        "next_url": reverse("quiz:attempt", args=[attempt.uid]),
    }
    if attempt.attempt_mode == Mode.FEED:
        # A feed's item page is the no-JavaScript view of one post: back to the feed after it.
        context["next_url"] = post_url(attempt, entry.position + 1)
    if attempt.reveals(answered=answer is not None):
        context["reveal"] = build_reveal(entry, answer)
    elif entry.passed_at is not None:
        context["passed"] = True
    elif answer is None:
        entry.mark_shown()
        context["form"] = extra.pop("form", None) or AnswerForm(entry)
        context["item_kind"] = entry.item.item_kind
        context["question"] = entry.item.question
        context["media"] = item_media(attempt, entry)
    context.update(extra)
    return context


def item_media(attempt: Attempt, entry: AttemptItem) -> list[dict]:
    """What the pre-answer page may know of each clip: opaque URLs, its shape, its words."""
    variant = "feed" if attempt.mode == Mode.FEED else "media"
    media = []
    for slot, clip in entry.slots():

        def url(name: str, slot=slot) -> str:
            return reverse("quiz:item-media", args=[attempt.uid, entry.position, slot, name])

        media.append(
            {
                "slot": slot,
                "label": slot.label if entry.item.kind == ItemKind.PAIR else "",
                "is_video": clip.kind == "video",
                "src": url(variant),
                "poster": url("poster") if clip.kind == "video" else "",
                # A track per language, behind the attempt's own URLs: no ?v= either, since a
                # hash of the captions would be the same in every attempt and name the clip.
                "captions": clip.caption_tracks(
                    lambda lang, _vtt, url=url: url(f"captions-{lang}")
                ),
                "transcript": clip.transcript,
                # The clip itself never reaches this page, so its language facts travel here.
                "transcript_lang": text_language(clip, "transcript"),
                # Not "" when the transcript shows in English for want of one in the page's
                # language: that language's name, for the fallback note.
                "transcript_missing_in": missing_in(clip, "transcript"),
                **_shown_dimensions(clip, variant, entry.item.kind),
                "duration": clip.duration_seconds,
            }
        )
    return media


def missing_in(clip, field: str) -> str:
    language = get_language()
    return str(dict(settings.LANGUAGES)[language]) if falls_back(clip, field) else ""


def _shown_dimensions(clip, variant: str, kind: str) -> dict:
    """The size the page reserves: a video's own; an image's as quiz.attempt_media sends it."""
    if clip.kind == "video":
        return {"width": clip.width, "height": clip.height}
    matted = is_matted(kind)
    if not matted and not (clip.width and clip.height):
        return {"width": None, "height": None}
    size = sent_size((clip.width, clip.height), canvas_for(variant), matted=matted)
    return {"width": size[0], "height": size[1]}


@never_cache
def item(request: HttpRequest, uid: UUID, position: int) -> HttpResponse:
    entry = get_entry(request, uid, position)
    attempt = entry.attempt
    if not entry.is_answerable and not hasattr(entry, "answer"):
        # Withdrawn before it was answered: skipped, and the learner moves on.
        messages.info(request, WITHDRAWN)
        return redirect("quiz:attempt", attempt.uid)
    context = _stage_context(request, attempt, entry)
    if request.htmx and not request.htmx.boosted:
        response = render(request, f"{ITEM}#stage", context)
        return push_url(response, request.get_full_path())
    return render(request, ITEM, context)


def feed_post(attempt: Attempt, entry: AttemptItem, form: AnswerForm | None = None) -> dict:
    """One post of a feed as the page shows it: before its judgement only the byline (which
    comes from the attempt and the position, never from the clip), opaque media URLs and the
    form; once judged, its reveal."""
    answer = getattr(entry, "answer", None)
    post = {
        "entry": entry,
        "byline": byline(attempt.uid, entry.position),
        # Only the first post loads its media at once; the rest wait until scrolled to.
        "lazy": entry.position > 1,
    }
    if answer is not None:
        post["reveal"] = build_reveal(entry, answer)
    elif entry.passed_at is not None:
        post["passed"] = True
        if attempt.is_finished:
            post["clip"] = entry.item.clip
    else:
        post["form"] = form or AnswerForm(entry, auto_id=f"post-{entry.position}-%s")
        post["media"] = item_media(attempt, entry)[0]
    return post


@never_cache
def feed(request: HttpRequest, uid: UUID) -> HttpResponse:
    attempt = get_attempt(request, uid)
    if attempt.attempt_mode != Mode.FEED:
        return redirect("quiz:attempt", attempt.uid)
    if request.htmx and not request.htmx.boosted:
        # Links from a feed's item page (its reveal's "next") ask for a fragment of another
        # page; the feed is a page of its own.
        return HttpResponseClientRedirect(request.get_full_path())
    entries = attempt.feed_entries()
    context = {
        "attempt": attempt,
        "total": len(entries),
        "posts": [feed_post(attempt, entry) for entry in entries],
    }
    return render(request, FEED, context)


@require_POST
@never_cache
def feed_finish(request: HttpRequest, uid: UUID) -> HttpResponse:
    attempt = get_attempt(request, uid)
    try:
        attempt.finish_feed()
    except ValidationError as error:
        return HttpResponse(error.messages[0], status=400, content_type="text/plain")
    return redirect("quiz:results", attempt.uid)


def _feed_fragment(request: HttpRequest, attempt: Attempt, position: int, form=None):
    entry = attempt.entry_at(position)
    context = {
        "attempt": attempt,
        "total": attempt.entries.count(),
        "post": feed_post(attempt, entry, form),
    }
    return render(request, f"{FEED}#post", context)


@require_POST
@never_cache
@rate_limited(*ANSWER_LIMITS, message=TOO_FAST)
def item_answer(request: HttpRequest, uid: UUID, position: int) -> HttpResponse:
    refused = answer_gates.refusal(request, uid)
    if refused:
        # Nothing is stored; the visitor is told why on the results of what they did answer.
        messages.info(request, refused)
        done = reverse("quiz:results", args=[uid])
        return HttpResponseClientRedirect(done) if request.htmx else redirect(done)
    entry = get_entry(request, uid, position, answering=True)
    attempt = entry.attempt
    if not entry.is_answerable:
        # Withdrawn since the page was shown: nothing is stored, and the learner moves on.
        messages.info(request, WITHDRAWN)
        return _onward(request, attempt)
    is_feed_post = attempt.attempt_mode == Mode.FEED and request.htmx
    # A feed page holds many forms: each post's fields get ids of their own.
    auto_id = f"post-{position}-%s" if is_feed_post else "id_%s"
    form = AnswerForm(entry, request.POST, auto_id=auto_id)
    if not form.is_valid():
        if is_feed_post:
            # 200, not 422: htmx swaps only successful responses, and the post must show why.
            return _feed_fragment(request, attempt, position, form)
        entry = attempt.entry_at(position)  # all of the clips, to show the item again
        context = _stage_context(request, attempt, entry, form=form)
        template = f"{ITEM}#stage" if request.htmx else ITEM
        return render(request, template, context, status=422 if request.htmx else 200)
    try:
        _answer, created = attempt.record(entry, form.given())
    except ValidationError as error:
        return HttpResponse(error.messages[0], status=400, content_type="text/plain")
    if not created:
        messages.info(request, _("You had already answered this one; your first answer stands."))
    if is_feed_post:
        # The judged post turns into its reveal where it stands; the feed goes on below it.
        return _feed_fragment(request, attempt, position)
    if attempt.attempt_mode.reveals_each_item:
        return _show(request, attempt, entry)
    # Assessment and feed: straight on to the next item, feedback at the end.
    return _onward(request, attempt)


def _onward(request: HttpRequest, attempt: Attempt) -> HttpResponse:
    """The next item still to answer, or the results once none is left."""
    target = attempt.next_unanswered()
    if target is None:
        done = reverse("quiz:results", args=[attempt.uid])
        return HttpResponseClientRedirect(done) if request.htmx else redirect(done)
    return _show(request, attempt, target)


def _show(request: HttpRequest, attempt: Attempt, target: AttemptItem) -> HttpResponse:
    if not request.htmx:
        return redirect("quiz:item", attempt.uid, target.position)
    # The answering query loaded only what judging needs; the page shows much more.
    target = attempt.entry_at(target.position)
    response = render(request, f"{ITEM}#stage", _stage_context(request, attempt, target))
    return push_url(response, reverse("quiz:item", args=[attempt.uid, target.position]))


@never_cache
def results(request: HttpRequest, uid: UUID) -> HttpResponse:
    attempt = get_attempt(request, uid)
    elsewhere = links.resolve(links.ATTEMPT_RESULTS, attempt)
    if elsewhere is not None:
        # An attempt a higher app runs (a campaign's) ends on that app's result page.
        return (
            HttpResponseClientRedirect(elsewhere.url) if request.htmx else redirect(elsewhere.url)
        )
    return render(request, "quiz/results.html", attempt_results(attempt))
