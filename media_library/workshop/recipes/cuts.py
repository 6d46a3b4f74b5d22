"""Recipes that cut and splice: a stretch cut out (the Starmer interview, 2019) and a swapped
sound track.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from media_library.choices import Technique, TellCategory
from media_library.timestamps import format_timestamp
from media_library.workshop.forms import AudioReplacement, AudioSwapForm, SpliceForm
from media_library.workshop.recipes.base import (
    MIN_SEGMENT_SECONDS,
    ExtraInput,
    PlannedTell,
    Recipe,
    graph_number,
    join,
    segment,
)

AUDIO_RATE = 48000


class Splice(Recipe):
    name = "splice"
    label = gettext_lazy("Cut out a stretch")
    description = gettext_lazy(
        "A stretch is removed and the ends joined, so an answer loses its context — as in the "
        "doctored Starmer interview (2019)."
    )
    technique = Technique.SPLICE
    form_class = SpliceForm

    def title_suffix(self, params):
        return _("%(s)s s cut out at %(at)s") % {
            "s": graph_number(round(params["end"] - params["start"], 1)),
            "at": format_timestamp(params["start"]),
        }

    def summary(self, params):
        return f"splice removed {graph_number(params['start'])}s to {graph_number(params['end'])}s"

    def streams(self, inputs, params, info):
        video, audio = inputs[0]["v:0"], self.source_audio(inputs, info)
        start, end = params["start"], params["end"]
        parts = []
        if start >= MIN_SEGMENT_SECONDS:
            parts.append(segment(video, audio, 0, start))
        if info.duration - end >= MIN_SEGMENT_SECONDS:
            parts.append(segment(video, audio, end, None))
        return join(parts, audio is not None)

    def tells(self, params, duration):
        at = min(params["start"], duration)
        return [
            PlannedTell(
                TellCategory.CUT_SPLICE,
                at,
                at,
                _(
                    "At %(at)s, %(s)s seconds of the original were cut out and the two ends "
                    "joined. Look for a jump: a head or hand that moves in an instant, a "
                    "sentence that starts mid-breath, a change in the background sound."
                )
                % {"at": format_timestamp(at), "s": graph_number(params["end"] - params["start"])},
            )
        ]


class AudioSwap(Recipe):
    name = "audio_swap"
    label = gettext_lazy("Swapped sound")
    description = gettext_lazy(
        "The picture is kept and its sound replaced — by silence, a tone, or another real "
        "clip's sound — so what people seem to say or hear is not what was recorded."
    )
    technique = Technique.SPLICE
    form_class = AudioSwapForm

    def params_json(self, cleaned):
        params = {"replacement": cleaned["replacement"]}
        if clip := cleaned.get("audio_clip"):
            params |= {
                "audio_clip": clip.slug,
                "audio_clip_uid": clip.uid.hex,
                "audio_clip_title": clip.title,
            }
        return params

    def title_suffix(self, params):
        return {
            AudioReplacement.SILENCE: _("sound removed"),
            AudioReplacement.TONE: _("sound replaced by a tone"),
            AudioReplacement.CLIP: _("with another clip's sound"),
        }[params["replacement"]]

    def summary(self, params):
        return f"audio_swap {params['replacement']}"

    def extra_inputs(self, params, info):
        replacement = params["replacement"]
        if replacement == AudioReplacement.CLIP:
            return [ExtraInput("clip", params["audio_clip_uid"])]
        if replacement == AudioReplacement.TONE:
            return [ExtraInput("lavfi", f"sine=frequency=440:sample_rate={AUDIO_RATE}")]
        return [ExtraInput("lavfi", f"anullsrc=channel_layout=stereo:sample_rate={AUDIO_RATE}")]

    def streams(self, inputs, params, info):
        sound = inputs[1]["a:0"] if params["replacement"] == AudioReplacement.CLIP else inputs[1]
        length = graph_number(info.duration)
        # Exactly as long as the picture: cut a longer sound, pad a shorter one with silence.
        sound = (
            sound.filter("atrim", end=length)
            .filter("asetpts", "PTS-STARTPTS")
            .filter("apad", whole_dur=length)
            .filter("atrim", end=length)
        )
        return inputs[0]["v:0"].filter("null"), sound

    def tells(self, params, duration):
        explanation = {
            AudioReplacement.SILENCE: _(
                "The sound was removed. The picture is real, but whatever was said is gone: "
                "lips move with no voice, and silence changes how a scene feels."
            ),
            AudioReplacement.TONE: _(
                "The sound was replaced by a steady tone: nothing you hear was recorded with "
                "this picture."
            ),
            AudioReplacement.CLIP: _(
                "The sound comes from another clip (“%(title)s”): voices do not follow the "
                "lips, and the room and background noise do not match the picture."
            )
            % {"title": params.get("audio_clip_title", "")},
        }[params["replacement"]]
        return [PlannedTell(TellCategory.VOICE_AUDIO, 0, duration, explanation)]
