"""The quiz builder: curators and teachers make quizzes and items, and read how items behave.

Teachers see and edit the quizzes they built; curators see every quiz. The item bank is shared:
every builder may put any item in their quizzes. With htmx the item list and the add-item form
of the edit page swap in place; every form is also a plain post.
"""

from __future__ import annotations

import copy

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from languages.fallbacks import missing_translations
from media_library.roles import Role, has_role
from quiz.access import builder_required
from quiz.build_forms import ItemFilterForm, ItemForm, MoveItemForm, QuizForm
from quiz.item_stats import counted_item_stats, item_rows
from quiz.measures import MIN_ITEM_ANSWERS
from quiz.models import Attempt, Item, ItemKind, Mode, Quiz, QuizItem, Selection

LIST = "quiz/build/quiz_list.html"
EDIT = "quiz/build/quiz_edit.html"
STATS = "quiz/build/quiz_stats.html"
ITEMS = "quiz/build/item_list.html"
ITEM_CREATE = "quiz/build/item_create.html"
ITEMS_PER_PAGE = 50


def built_quizzes(user) -> QuerySet[Quiz]:
    return Quiz.objects.all() if has_role(user, Role.CURATOR) else Quiz.objects.built_by(user)


def get_built_quiz(request: HttpRequest, slug: str) -> Quiz:
    """A quiz the requester may edit, or 404: another teacher's quiz does not exist for them."""
    return get_object_or_404(built_quizzes(request.user), slug=slug)


def entry_count() -> Coalesce:
    """A quiz's items, counted in a subquery per quiz: joining entries and attempts together
    multiplied one by the other (1.05 M rows for 10 quizzes) before DISTINCT undid it."""
    return _count_of(QuizItem.objects.filter(quiz=OuterRef("pk")))


def attempt_count() -> Coalesce:
    return _count_of(Attempt.objects.filter(quiz=OuterRef("pk")))


def _count_of(rows: QuerySet) -> Coalesce:
    counted = rows.order_by().values("quiz").annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


@builder_required
def quiz_list(request: HttpRequest) -> HttpResponse:
    quizzes = list(
        built_quizzes(request.user)
        .select_related("created_by")
        .annotate(item_count=entry_count(), attempt_count=attempt_count())
        .order_by("title", "pk")
    )
    for quiz in quizzes:
        # The list marks a quiz whose title or description is still English-only somewhere.
        quiz.missing_languages = missing_translations(quiz, "title", "description")
    # Someone else's open quizzes, to start from instead of from nothing.
    to_copy = (
        Quiz.objects.published()
        .exclude(created_by=request.user)
        .annotate(item_count=entry_count())
        .order_by("title", "pk")
    )
    return render(
        request,
        LIST,
        {
            "quizzes": quizzes,
            "to_copy": to_copy,
            "sees_everyone": has_role(request.user, Role.CURATOR),
        },
    )


@builder_required
@require_POST
def quiz_copy(request: HttpRequest, slug: str) -> HttpResponse:
    quiz = get_object_or_404(Quiz.objects.copyable_by(request.user), slug=slug)
    draft = quiz.copy_for(request.user)
    messages.success(
        request, _("This is your own copy, a draft: change it as you like, then open it.")
    )
    return redirect("quiz:build-edit", draft.slug)


@builder_required
@require_http_methods(["GET", "POST"])
def quiz_create(request: HttpRequest) -> HttpResponse:
    form = QuizForm(request.POST or None, instance=Quiz(created_by=request.user))
    if request.method == "POST" and form.is_valid():
        quiz = form.save()
        messages.success(request, _("The quiz is created. Now give it its items."))
        return redirect("quiz:build-edit", quiz.slug)
    return render(request, EDIT, {"form": form, "quiz": None})


@builder_required
@require_http_methods(["GET", "POST"])
def quiz_edit(request: HttpRequest, slug: str) -> HttpResponse:
    quiz = get_built_quiz(request, slug)
    if request.method == "POST" and "direction" in request.POST:
        return _move_item(request, quiz)
    # The form edits a copy: the page keeps showing the quiz as saved while errors are fixed.
    form = QuizForm(request.POST or None, instance=copy.copy(quiz))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The quiz is saved."))
        return redirect("quiz:build-edit", quiz.slug)
    return render(request, EDIT, _edit_context(quiz, form=form))


def _move_item(request: HttpRequest, quiz: Quiz) -> HttpResponse:
    form = MoveItemForm(quiz, request.POST)
    moved = form.is_valid() and form.save()
    return _items_changed(request, quiz, _("The item is moved.") if moved else "")


@builder_required
@require_http_methods(["GET", "POST"])
def quiz_add_item(request: HttpRequest, slug: str) -> HttpResponse:
    quiz = get_built_quiz(request, slug)
    if request.method == "GET":
        # The add-item form again, its second-clip list suited to the clip chosen so far.
        form = _item_form(quiz, initial=_item_initial(request))
        if request.htmx:
            return render(request, f"{EDIT}#add-item", _edit_context(quiz, item_form=form))
        return render(request, EDIT, _edit_context(quiz, item_form=form))
    form = _item_form(quiz, request.POST)
    if not form.is_valid():
        context = _edit_context(quiz, item_form=form)
        if request.htmx:
            # The item list stays as it is; only the form comes back, with its errors.
            response = render(request, f"{EDIT}#add-item", context)
            return reswap(retarget(response, "#add-item"), "outerHTML")
        return render(request, EDIT, context)
    item, created = form.create_or_reuse(request.user)
    quiz.add_item(item)
    if created:
        message = _("The item is added.")
    else:
        message = _("The same item was already in the bank: it is added, statistics and all.")
    return _items_changed(request, quiz, message, reset_form=True)


@builder_required
@require_POST
def quiz_remove_item(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    quiz = get_built_quiz(request, slug)
    get_object_or_404(quiz.entries, item_id=pk).delete()
    return _items_changed(
        request, quiz, _("The item is removed from this quiz; it stays in the item bank.")
    )


def _items_changed(
    request: HttpRequest, quiz: Quiz, message: str, reset_form: bool = False
) -> HttpResponse:
    if not request.htmx:
        if message:
            messages.success(request, message)
        return redirect(reverse("quiz:build-edit", args=[quiz.slug]) + "#items")
    # The list is swapped in place; after an item is added the list and a fresh, empty form
    # come back together (a half-filled form survives a move or a removal).
    context = _edit_context(quiz, items_message=message)
    return render(request, f"{EDIT}#item-editor" if reset_form else f"{EDIT}#item-list", context)


def _item_form(quiz: Quiz | None, *args, **kwargs) -> ItemForm:
    if quiz is None:
        refresh_url = reverse("quiz:build-item-create")
    else:
        refresh_url = reverse("quiz:build-add-item", args=[quiz.slug])
    return ItemForm(*args, refresh_url=refresh_url, **kwargs)


def _item_initial(request: HttpRequest) -> dict:
    initial = {"kind": ItemKind.VERDICT, **request.GET.dict()}
    if request.htmx and request.htmx.trigger_name == "clip":
        # A new clip: the second clip suggested for the old one no longer fits.
        initial.pop("other_clip", None)
    return initial


def _edit_context(quiz: Quiz, **overrides) -> dict:
    entries = list(quiz.entries.select_related("item__clip", "item__other_clip"))
    ids = [entry.item_id for entry in entries]
    ready = set(Item.objects.available().filter(pk__in=ids).values_list("pk", flat=True))
    # An assessment or a feed deals no clip whose truth is shown without an answer.
    dealable = set(quiz.dealable_items().filter(pk__in=ids).values_list("pk", flat=True))
    is_feed = quiz.mode == Mode.FEED
    context = {
        "quiz": quiz,
        "form": overrides.pop("form", None) or QuizForm(instance=quiz),
        "item_form": overrides.pop("item_form", None)
        or _item_form(quiz, initial={"kind": ItemKind.VERDICT}),
        "is_pool": quiz.selection == Selection.POOL,
        "entries": [
            {
                "entry": entry,
                "item": entry.item,
                "ready": entry.item_id in ready,
                "exposed": entry.item_id in ready and entry.item_id not in dealable,
                # A feed asks one thing of each clip and skips every other item type.
                "skipped_in_feed": is_feed and entry.item.kind != ItemKind.VERDICT,
            }
            for entry in entries
        ],
    }
    context["unready_count"] = sum(1 for row in context["entries"] if not row["ready"])
    context["exposed_count"] = sum(1 for row in context["entries"] if row["exposed"])
    if quiz.selection == Selection.POOL:
        context["pool_count"] = quiz.pool().count()
        context["ready_count"] = context["pool_count"]
        if quiz.keeps_truth_to_the_end:
            context["exposed_pool_count"] = quiz.pool_matching(
                Item.objects.available().exposed()
            ).count()
    else:
        context["ready_count"] = sum(
            1
            for row in context["entries"]
            if row["ready"] and not row["exposed"] and not row["skipped_in_feed"]
        )
    context.update(overrides)
    return context


@builder_required
def quiz_stats(request: HttpRequest, slug: str) -> HttpResponse:
    quiz = get_built_quiz(request, slug)
    stats = counted_item_stats(quiz)
    # The quiz's items now, then any that were answered in it before being removed (or that a
    # pool drew), so every answer is accounted for.
    entries = quiz.entries.select_related("item__clip", "item__other_clip")
    items = [entry.item for entry in entries]
    listed = {item.pk for item in items}
    items += (
        Item.objects.filter(pk__in=set(stats) - listed)
        .select_related("clip", "other_clip")
        .order_by("pk")
    )
    attempts = quiz.attempts.aggregate(
        started=Count("pk"), finished=Count("pk", filter=Q(finished_at__isnull=False))
    )
    return render(
        request,
        STATS,
        {
            "quiz": quiz,
            "rows": item_rows(items, stats),
            "attempts": attempts,
            "min_answers": MIN_ITEM_ANSWERS,
        },
    )


@builder_required
def item_list(request: HttpRequest) -> HttpResponse:
    filters = ItemFilterForm(request.GET)
    items = (
        Item.objects.select_related("clip", "other_clip", "created_by")
        .annotate(quiz_count=Count("quiz_entries", distinct=True))
        .order_by("-created_at", "pk")
    )
    rows = filters.filter(item_rows(items, counted_item_stats()))
    page = Paginator(rows, ITEMS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        ITEMS,
        {
            "filters": filters,
            "page": page,
            "rows": page.object_list,
            "query": query.urlencode(),
            "bank_is_empty": not Item.objects.exists(),
            "min_answers": MIN_ITEM_ANSWERS,
        },
    )


@builder_required
@require_http_methods(["GET", "POST"])
def item_create(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = _item_form(None, request.POST)
        if form.is_valid():
            _item, created = form.create_or_reuse(request.user)
            if created:
                messages.success(request, _("The item is in the bank."))
            else:
                messages.info(request, _("The same item was already in the bank."))
            return redirect("quiz:build-items")
    else:
        form = _item_form(None, initial=_item_initial(request))
    if request.htmx and request.method == "GET":
        return render(request, f"{ITEM_CREATE}#item-form", {"item_form": form})
    return render(request, ITEM_CREATE, {"item_form": form})
