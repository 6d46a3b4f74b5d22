"""What a learner sees once their answer is stored: the truth, the tells, the crowd, the
detector's view, their confidence against the outcome and, for a fake, its original."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext as _

from media_library.models import Clip, ClipAnalysis, Technique, Tell
from media_library.models.clip_serving import CaptionTrack
from quiz.forms import GRID_CELLS
from quiz.models import Answer, AttemptItem, Crowd, ItemKind, Outcome


class InAttempt:
    """A clip or a tell as one attempt's reveal shows it: everything the object has, but its
    file URLs are the attempt's own (quiz:revealed-media). A clip kept for tests has no public
    library URL, and the attempt's URLs work only once the attempt may show the truth."""

    def __init__(self, wrapped: Clip | Tell, entry: AttemptItem, which: str) -> None:
        self._wrapped = wrapped
        self._entry = entry
        self._which = which

    def __getattr__(self, name: str):
        return getattr(self._wrapped, name)

    def _url(self, variant: str, version_of: str) -> str:
        attempt = self._entry.attempt
        url = reverse(
            "quiz:revealed-media", args=[attempt.uid, self._entry.position, self._which, variant]
        )
        return f"{url}?v={Clip.serving_version(version_of)}"

    def _file_url(self, variant: str) -> str:
        file = self._wrapped.served_file(variant)
        return self._url(variant, file.name) if file else ""

    @property
    def media_url(self) -> str:
        return self._file_url("media")

    @property
    def poster_url(self) -> str:
        return self._file_url("poster")

    @property
    def caption_tracks(self) -> list[CaptionTrack]:
        return self._wrapped.caption_tracks(
            lambda language, vtt: self._url(f"captions-{language}", vtt)
        )

    @property
    def still_url(self) -> str:
        still = self._wrapped.still
        return self._url(f"tell-{self._wrapped.pk}", still.name) if still else ""


@dataclass
class RevealedClip:
    slot_label: str
    clip: InAttempt
    tells: list[InAttempt]
    # The original a fake was made from, shown side by side when learners may see it.
    original: InAttempt | None
    # The detector's analysis once it has one (else the panel says "no analysis yet" rather
    # than inventing a score).
    detection: ClipAnalysis | None = None


@dataclass
class Reveal:
    entry: AttemptItem
    answer: Answer
    clips: list[RevealedClip]
    crowd: Crowd
    # Right, partly right or wrong (the same word and colour as the results page).
    result: Outcome
    # The learner's confidence set against the result, in one sentence.
    outcome: str
    your_answer: str
    right_answer: str
    # The clip was withdrawn after the answer: its truth may be said, but nothing of the clip
    # is shown or served (no player, still, title, tell or original).
    withdrawn: bool = False
    extra: dict = field(default_factory=dict)


def build_reveal(entry: AttemptItem, answer: Answer) -> Reveal:
    item = entry.item
    withdrawn = not entry.is_answerable
    slots = [] if withdrawn else entry.slots()
    clips = []
    for slot, clip in slots:
        original = clip.original if clip.is_manipulated and clip.original_id else None
        if original is not None and not original.is_published:
            original = None
        clips.append(
            RevealedClip(
                slot_label=slot.label if len(slots) > 1 else "",
                clip=InAttempt(clip, entry, slot),
                tells=[InAttempt(tell, entry, slot) for tell in clip.tells.all()],
                original=InAttempt(original, entry, f"{slot}-original") if original else None,
                detection=ClipAnalysis.objects.done().filter(clip=clip).first(),
            )
        )
    crowd = item.crowd(excluding=answer)
    return Reveal(
        entry=entry,
        answer=answer,
        clips=clips,
        crowd=crowd,
        result=Outcome.of(correct=answer.is_correct, score=answer.score),
        outcome=confidence_outcome(answer, crowd),
        your_answer=describe_answer(entry, answer),
        right_answer=describe_truth(entry),
        withdrawn=withdrawn,
    )


def describe_answer(entry: AttemptItem, answer: Answer) -> str:
    kind = entry.item.item_kind
    if kind == ItemKind.VERDICT:
        return answer.get_verdict_display()
    if kind == ItemKind.PAIR:
        return answer.get_picked_display()
    if kind == ItemKind.TECHNIQUE:
        return answer.get_technique_display()
    parts = []
    if answer.point_x is not None:
        parts.append(
            _("a point %(x)d %% across, %(y)d %% down")
            % {"x": round(answer.point_x * 100), "y": round(answer.point_y * 100)}
        )
    elif answer.cell is not None:
        parts.append(str(dict(GRID_CELLS)[answer.cell]).lower())
    if answer.seconds is not None:
        parts.append(_("%(s).1f s") % {"s": answer.seconds})
    return ", ".join(parts)


def describe_truth(entry: AttemptItem) -> str:
    item = entry.item
    kind = item.item_kind
    if kind == ItemKind.VERDICT:
        return item.clip.get_verdict_display()
    if kind == ItemKind.PAIR:
        manipulated = item.manipulated_clip
        slot = next(slot for slot, clip in entry.slots() if clip.pk == manipulated.pk)
        return slot.label
    if kind == ItemKind.TECHNIQUE:
        return Technique(item.correct_technique).label
    return _("the marked tells below")


def confidence_outcome(answer: Answer, crowd: Crowd) -> str:
    """The learner's confidence set against what happened, in one sentence. Whether the item
    was hard comes from the crowd figure the reveal shows beside it (everyone else's answers),
    and is left unsaid when too few others have answered."""
    if answer.confidence is None:
        return ""
    sure = answer.confidence
    if answer.is_correct:
        if sure >= 85:
            return _("You were %(sure)d %% sure, and right.") % {"sure": sure}
        return _("You were only %(sure)d %% sure, but you were right: trust that eye.") % {
            "sure": sure
        }
    if sure >= 85:
        return _(
            "You were %(sure)d %% sure, and this one fooled you: strong certainty is worth a "
            "second look."
        ) % {"sure": sure}
    if crowd.most_missed:
        text = _("You were %(sure)d %% sure, and rightly unsure: most others missed this one too.")
    elif crowd.most_right:
        text = _(
            "You were %(sure)d %% sure, and rightly unsure, though most others got this one "
            "right: worth a second look."
        )
    else:
        text = _("You were %(sure)d %% sure, and rightly unsure.")
    return text % {"sure": sure}
