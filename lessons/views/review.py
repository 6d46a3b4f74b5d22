"""A learner's own pages: their progress over all their answers with what to practise next,
and their spaced review queue (lessons/review.py)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from lessons.review import ReviewQueue, practice_advice, with_tallies
from quiz.results import learner_results

PROGRESS = "lessons/progress.html"
REVIEW = "lessons/review.html"


@login_required
def my_progress(request: HttpRequest) -> HttpResponse:
    context = learner_results(request.user)
    # The quiz's measures, and per weak tell the lesson and practice quiz that teach it.
    context["advice"] = practice_advice(with_tallies(context["summary"].per_tell, request.user))
    return render(request, PROGRESS, context)


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest) -> HttpResponse:
    queue = ReviewQueue.of(request.user)
    has_items = bool(queue.candidates())
    if request.method == "POST" and has_items:
        attempt = queue.start(request)
        return redirect("quiz:attempt", attempt.uid)
    return render(request, REVIEW, {"queue": queue, "has_items": has_items})
