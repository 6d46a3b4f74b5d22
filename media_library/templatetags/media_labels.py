"""Labels that say what a clip is: the visible "manipulated media" label, the demo badge and the
Content Credentials panel.

The manipulated label gives the answer away. It is for pages where the truth is already known
(the curator area) or has just been revealed (the quiz reveal, after the answer is stored). It
must never appear on a page a learner sees before answering.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from media_library.choices import ProcessingStatus, ProvenanceStatus
from media_library.models import Clip, Technique, Verdict

register = template.Library()


@register.inclusion_tag("media_library/labels/manipulated.html")
def manipulated_label(clip: Clip, compact: bool = False) -> dict:
    """The visible label a manipulated clip carries once its truth is revealed.

    Callers use it ONLY after the truth is revealed (curator pages, the quiz reveal once the
    answer is stored): it names the verdict and the technique. Renders nothing for real clips.
    Place it directly under the player; `compact=True` is the one-line form for lists.
    """
    if not clip.verdict or not Verdict(clip.verdict).is_manipulated:
        return {"show": False}
    if clip.technique and clip.technique != Technique.NONE:
        how = clip.get_technique_display()
    else:
        how = clip.get_verdict_display()
    return {
        "show": True,
        "how": how,
        "generated": clip.is_generated,
        "compact": compact,
    }


@register.simple_tag
def demo_badge(clip: Clip) -> SafeString | str:
    """The "Demo" badge on clips made by seed_demo, so nobody mistakes them for curated material."""
    if not clip.is_demo:
        return ""
    return format_html(
        '<span class="badge badge-demo" title="{}">{}</span>',
        _("Made by seed_demo to show what Telltale does; not a curated clip."),
        _("Demo"),
    )


@register.inclusion_tag("media_library/labels/provenance.html")
def provenance_panel(clip: Clip) -> dict:
    """The clip's Content Credentials in plain words, with what they do and do not mean."""
    summary = clip.provenance_summary or {}
    processing = ProcessingStatus(clip.processing_status)
    return {
        "status": clip.provenance_status,
        # Not checked yet is not the same as never checked: processing reads the credentials.
        "being_checked": not processing.is_finished,
        "processing_failed": processing == ProcessingStatus.FAILED,
        "statuses": ProvenanceStatus,
        "summary": summary,
        "trusted": bool(summary.get("trusted")),
    }


@register.simple_tag
def provenance_badge(clip: Clip) -> SafeString:
    """The one-word-ish status for lists."""
    status = ProvenanceStatus(clip.provenance_status)
    css = status.value
    if status == ProvenanceStatus.VALID and not (clip.provenance_summary or {}).get("trusted"):
        # Intact but unvouched: not the green of a trusted signer.
        text, css = _("Valid, untrusted signer"), "untrusted"
    elif (
        status == ProvenanceStatus.NOT_CHECKED
        and not ProcessingStatus(clip.processing_status).is_finished
    ):
        text = _("Being checked")
    else:
        text = {
            ProvenanceStatus.NOT_CHECKED: _("Not checked"),
            ProvenanceStatus.ABSENT: _("None (unknown, not fake)"),
            ProvenanceStatus.VALID: _("Valid"),
            ProvenanceStatus.INVALID: _("Invalid"),
        }[status]
    return format_html('<span class="provenance-state provenance-state-{}">{}</span>', css, text)
