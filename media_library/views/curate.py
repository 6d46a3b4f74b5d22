"""The curator area: the clip library, a clip's page (processing, player, tells, metadata) and
the publication workflow. Every view is curator-only; htmx requests get the page's partials."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import ProtectedError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from media_library.access import curator_required
from media_library.forms import ClipEditForm, ClipFilterForm, EraseForm, TellForm
from media_library.models import Clip, ClipAnalysis, ClipFingerprint, ProcessingStatus, Tell
from media_library.stored_files import delete_stored_files

DETAIL = "media_library/clip_detail.html"
CLIPS_PER_PAGE = 50
# The fields a tell's still depends on.
STILL_FIELDS = {"start_seconds", "box_x", "box_y", "box_w", "box_h"}
STILL_WAIT = timedelta(minutes=2)


@curator_required
def clip_list(request: HttpRequest) -> HttpResponse:
    filters = ClipFilterForm(request.GET)
    # The tells come with the page: each row says which languages its texts still lack.
    clips = filters.filter(Clip.objects.prefetch_related("tells"))
    page = Paginator(clips, CLIPS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "media_library/clip_list.html",
        {
            "filters": filters,
            "page": page,
            "clips": page.object_list,
            "library_is_empty": not Clip.objects.exists(),
        },
    )


def _detail_context(request: HttpRequest, clip: Clip, **overrides) -> dict:
    tells = list(clip.tells.all())
    recently = timezone.now() - STILL_WAIT
    context = {
        "clip": clip,
        "status": ProcessingStatus(clip.processing_status),
        "tells": tells,
        # The list polls while a fresh tell's still is being rendered, but not forever:
        # a still that never comes must not keep every open page polling.
        "stills_pending": any(not t.still and t.updated_at > recently for t in tells),
        "edit_form": ClipEditForm(instance=clip),
        "tell_form": TellForm(clip=clip),
        "editing_tell": None,
        "analysis": ClipAnalysis.objects.filter(clip=clip).first(),
        "fingerprint": ClipFingerprint.objects.filter(clip=clip)
        .select_related("matched_clip")
        .first(),
        "own_submission": clip.needs_another_reviewer(request.user),
        "single_curator_publishing": settings.TELLTALE_SINGLE_CURATOR_PUBLISHING,
    }
    context.update(overrides)
    return context


@curator_required
def clip_detail(request: HttpRequest, slug: str) -> HttpResponse:
    clip = get_object_or_404(Clip, slug=slug)
    if request.htmx and request.htmx.target == "tell-list":
        return render(request, f"{DETAIL}#tell-list", _detail_context(request, clip))
    if request.htmx and request.htmx.target == "detector":
        # The detector panel polls this URL while an analysis is queued or running.
        return render(request, f"{DETAIL}#detector", _detail_context(request, clip))
    if request.htmx:
        # The processing panel polls this URL until the clip is finished.
        response = render(request, f"{DETAIL}#processing-status", _detail_context(request, clip))
        if ProcessingStatus(clip.processing_status).is_finished:
            # The player and the tell editor only exist on a finished clip: reload once.
            response.headers["HX-Refresh"] = "true"
        return response
    return render(request, DETAIL, _detail_context(request, clip))


@curator_required
@require_http_methods(["GET", "POST"])
def clip_edit(request: HttpRequest, slug: str) -> HttpResponse:
    clip = get_object_or_404(Clip, slug=slug)
    form = ClipEditForm(request.POST or None, instance=clip)
    saved = False
    if request.method == "POST" and form.is_valid():
        clip = form.save(request.user)
        if not request.htmx:
            messages.success(request, _("The clip's details are saved."))
            return redirect(clip)
        saved = True
        form = ClipEditForm(instance=clip)
    context = _detail_context(request, clip, edit_form=form, metadata_saved=saved)
    if request.htmx:
        return render(request, f"{DETAIL}#metadata-form", context)
    return render(request, DETAIL, context)


@curator_required
@require_POST
def tell_create(request: HttpRequest, slug: str) -> HttpResponse:
    clip = get_object_or_404(Clip, slug=slug)
    return _save_tell(request, clip, TellForm(request.POST, clip=clip))


@curator_required
@require_http_methods(["GET", "POST"])
def tell_edit(request: HttpRequest, pk: int) -> HttpResponse:
    tell = get_object_or_404(Tell.objects.select_related("clip"), pk=pk)
    if request.method == "POST":
        return _save_tell(request, tell.clip, TellForm(request.POST, clip=tell.clip, instance=tell))
    context = _detail_context(
        request, tell.clip, tell_form=TellForm(clip=tell.clip, instance=tell), editing_tell=tell
    )
    if request.htmx:
        return render(request, f"{DETAIL}#tell-form", context)
    return render(request, DETAIL, context)


def _save_tell(request: HttpRequest, clip: Clip, form: TellForm) -> HttpResponse:
    editing = form.instance.pk is not None
    if not form.is_valid():
        context = _detail_context(
            request, clip, tell_form=form, editing_tell=form.instance if editing else None
        )
        if request.htmx:
            # The list stays as it is; only the form comes back, with its errors.
            response = render(request, f"{DETAIL}#tell-form", context)
            return reswap(retarget(response, "#tell-form"), "outerHTML")
        return render(request, DETAIL, context, status=400)
    tell = form.save(commit=False)
    if not editing:
        tell.created_by = request.user
    old_still = tell.still.name if set(form.changed_data) & STILL_FIELDS else ""
    if old_still:
        # A moved time or box needs a new still; the old one would show the wrong moment.
        tell.still = ""
    with transaction.atomic():
        tell.save()
        if old_still:
            storage = tell.still.storage
            transaction.on_commit(lambda: delete_stored_files(storage, [old_still]))
    if hasattr(tell, "enqueue_still"):
        tell.enqueue_still()
    message = _("The tell is updated.") if editing else _("The tell is added.")
    return _tells_changed(request, clip, message)


@curator_required
@require_POST
def tell_delete(request: HttpRequest, pk: int) -> HttpResponse:
    tell = get_object_or_404(Tell.objects.select_related("clip"), pk=pk)
    clip = tell.clip
    tell.delete_with_still()
    return _tells_changed(request, clip, _("The tell is deleted."))


def _tells_changed(request: HttpRequest, clip: Clip, message: str) -> HttpResponse:
    if not request.htmx:
        messages.success(request, message)
        return redirect(f"{clip.get_absolute_url()}#tells")
    # The list is swapped in place and a fresh, empty form replaces the one just used.
    context = _detail_context(request, clip, tell_message=message, tell_form_oob=True)
    return render(request, f"{DETAIL}#tells-changed", context)


# The publication workflow. Each model method refuses a move that is not allowed and says so
# by returning False; the page then explains why.


_WORKFLOW_MESSAGES = {
    "submit_for_review": (
        gettext_lazy("Submitted for review."),
        gettext_lazy("Only a draft can be submitted for review."),
    ),
    "publish": (
        gettext_lazy("Published: the clip can now appear in quizzes and lessons."),
        gettext_lazy("Only a clip in review can be published."),
    ),
    "withdraw": (
        gettext_lazy("Withdrawn: the clip is a draft again and no longer appears to learners."),
        gettext_lazy("The clip is already a draft."),
    ),
}


def _workflow_step(request: HttpRequest, slug: str, step: str) -> HttpResponse:
    clip = get_object_or_404(Clip, slug=slug)
    done = getattr(clip, step)(request.user)
    if done:
        messages.success(request, _WORKFLOW_MESSAGES[step][0])
    elif step == "publish" and clip.needs_another_reviewer(request.user):
        messages.error(
            request,
            _(
                "You submitted this clip for review, so another curator or a staff member "
                "publishes it."
            ),
        )
    elif step != "withdraw" and clip.publication_blockers:
        reasons = " ".join(str(reason) for reason in clip.publication_blockers)
        messages.error(request, _("Not yet: %(reasons)s") % {"reasons": reasons})
    else:
        messages.error(request, _WORKFLOW_MESSAGES[step][1])
    return redirect(clip)


@curator_required
@require_POST
def clip_submit(request: HttpRequest, slug: str) -> HttpResponse:
    return _workflow_step(request, slug, "submit_for_review")


@curator_required
@require_POST
def clip_publish(request: HttpRequest, slug: str) -> HttpResponse:
    return _workflow_step(request, slug, "publish")


@curator_required
@require_POST
def clip_withdraw(request: HttpRequest, slug: str) -> HttpResponse:
    return _workflow_step(request, slug, "withdraw")


@curator_required
@require_POST
def clip_retry(request: HttpRequest, slug: str) -> HttpResponse:
    clip = get_object_or_404(Clip, slug=slug)
    if clip.retry_processing(request.user):
        messages.success(request, _("Processing starts again."))
    else:
        messages.error(
            request, _("Only a clip whose processing failed or stalled can be processed again.")
        )
    return redirect(clip)


@curator_required
@require_POST
def clip_analyze(request: HttpRequest, slug: str) -> HttpResponse:
    """Run the detector on the clip (again): after an edit, a failure or a stalled worker."""
    clip = get_object_or_404(Clip, slug=slug)
    if clip.processing_status != ProcessingStatus.READY:
        messages.error(request, _("Only a processed clip can be analysed."))
        return redirect(clip)
    clip.enqueue_analysis()
    if request.htmx:
        return render(request, f"{DETAIL}#detector", _detail_context(request, clip))
    messages.success(request, _("The detector will look at this clip again."))
    return redirect(clip)


@curator_required
@require_http_methods(["GET", "POST"])
def clip_delete(request: HttpRequest, slug: str) -> HttpResponse:
    """The confirm page says what deleting would do; a clip learners have answered is never
    deleted (the page offers withdrawal instead), and the post refuses it too."""
    clip = get_object_or_404(Clip, slug=slug)
    records = clip.answer_records()
    status = 200
    if request.method == "POST":
        if not records.keep_the_clip:
            title = clip.title
            try:
                clip.delete_with_files()
            except ProtectedError:
                # A learner was dealt it or answered it since the count: it stays.
                records = clip.answer_records()
            else:
                messages.success(
                    request, _("“%(title)s” and its files are deleted.") % {"title": title}
                )
                return redirect("media_library:clip-list")
        messages.error(request, _("This clip is in learners' records: it was not deleted."))
        status = 409
    return _confirm_delete(request, clip, records, EraseForm(), status)


def _confirm_delete(
    request: HttpRequest, clip: Clip, records, erase_form: EraseForm, status: int
) -> HttpResponse:
    context = {
        "clip": clip,
        "records": records,
        "erase_form": erase_form,
        "made_from_it": clip.made_from_it() if records.keep_the_clip else [],
    }
    return render(request, "media_library/clip_confirm_delete.html", context, status=status)


@curator_required
@require_POST
def clip_erase(request: HttpRequest, slug: str) -> HttpResponse:
    """Consent withdrawn: erase the media of a clip learners have answered, keep the answers
    (offered on the delete page, where deleting is refused)."""
    clip = get_object_or_404(Clip, slug=slug)
    form = EraseForm(request.POST)
    if clip.consent_withdrawn or not form.is_valid():
        return _confirm_delete(request, clip, clip.answer_records(), form, status=400)
    erased = clip.erase_for_withdrawn_consent(request.user)
    others = len(erased) - 1
    if others:
        message = ngettext(
            "The media of this clip and of %(n)d clip made from it is erased, and they are "
            "withdrawn; every answer to them stays counted.",
            "The media of this clip and of %(n)d clips made from it is erased, and they are "
            "withdrawn; every answer to them stays counted.",
            others,
        ) % {"n": others}
    else:
        message = _("The media is erased and the clip withdrawn; every answer to it stays counted.")
    messages.success(request, message)
    return redirect(clip)
