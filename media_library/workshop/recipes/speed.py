"""Recipes that change the speed: slowed speech (Pelosi, 2019), a sped-up moment (Acosta, 2018)
and frame-blended slow motion.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from media_library.choices import Technique, TellCategory
from media_library.timestamps import format_timestamp
from media_library.workshop.forms import SlowMotionForm, SlowSpeechForm, SpeedUpMomentForm
from media_library.workshop.recipes.base import (
    MIN_SEGMENT_SECONDS,
    PlannedTell,
    Recipe,
    atempo,
    graph_number,
    join,
    percent,
    segment,
)


class SlowSpeech(Recipe):
    name = "slow_speech"
    label = gettext_lazy("Slowed speech")
    description = gettext_lazy(
        "The whole clip plays slower with voices kept at their pitch, so a speaker sounds "
        "drunk or confused — as in the Pelosi video (2019), slowed to about 75 %."
    )
    technique = Technique.SPEED_CHANGE
    form_class = SlowSpeechForm

    def title_suffix(self, params: dict) -> str:
        return _("slowed to %(pct)s %%") % {"pct": percent(params["factor"])}

    def summary(self, params: dict) -> str:
        return f"speed_change {graph_number(params['factor'])}x"

    def streams(self, inputs, params, info):
        factor = params["factor"]
        video = (
            inputs[0]["v:0"]
            .setpts(f"PTS/{graph_number(factor)}")
            .filter("fps", fps=graph_number(info.frame_rate))
        )
        audio = self.source_audio(inputs, info)
        return video, atempo(audio, factor) if audio is not None else None

    def tells(self, params, duration):
        return [
            PlannedTell(
                TellCategory.SPEED_CHANGE,
                0,
                duration,
                _(
                    "The whole clip plays at %(pct)s %% of its real speed. The sound was "
                    "stretched, not played slower, so voices keep their pitch but words drag "
                    "and slur; gestures and blinks look sluggish."
                )
                % {"pct": percent(params["factor"])},
            )
        ]


class SpeedUpMoment(Recipe):
    name = "speed_up_moment"
    label = gettext_lazy("Sped-up moment")
    description = gettext_lazy(
        "One stretch plays faster while the rest is untouched, so a movement looks sharper "
        "or more aggressive — as in the Acosta clip (2018)."
    )
    technique = Technique.SPEED_CHANGE
    form_class = SpeedUpMomentForm

    def title_suffix(self, params):
        return _("sped up %(factor)s× at %(at)s") % {
            "factor": graph_number(params["factor"]),
            "at": format_timestamp(params["start"]),
        }

    def summary(self, params):
        return (
            f"speed_change {graph_number(params['factor'])}x "
            f"from {graph_number(params['start'])}s to {graph_number(params['end'])}s"
        )

    def streams(self, inputs, params, info):
        video, audio = inputs[0]["v:0"], self.source_audio(inputs, info)
        start, end, factor = params["start"], params["end"], params["factor"]
        parts = []
        if start >= MIN_SEGMENT_SECONDS:
            parts.append(segment(video, audio, 0, start))
        parts.append(segment(video, audio, start, end, factor))
        if info.duration - end >= MIN_SEGMENT_SECONDS:
            parts.append(segment(video, audio, end, None))
        video, audio = join(parts, audio is not None)
        return video.filter("fps", fps=graph_number(info.frame_rate)), audio

    def tells(self, params, duration):
        start, end, factor = params["start"], params["end"], params["factor"]
        fast_end = min(duration, start + (end - start) / factor)
        return [
            PlannedTell(
                TellCategory.SPEED_CHANGE,
                start,
                max(start, fast_end),
                _(
                    "From %(from)s to %(to)s the clip runs %(factor)s× "
                    "faster than real life while the rest plays normally: the movement in this "
                    "stretch looks abrupt and forceful, and voices in it sound hurried."
                )
                % {
                    "from": format_timestamp(start),
                    "to": format_timestamp(fast_end),
                    "factor": graph_number(factor),
                },
            )
        ]


class SlowMotion(Recipe):
    name = "slow_motion"
    label = gettext_lazy("Blended slow motion")
    description = gettext_lazy(
        "The clip is slowed and the missing frames are blended from their neighbours, which "
        "makes an ordinary moment look dramatic or a stumble look like a collapse."
    )
    technique = Technique.SPEED_CHANGE
    form_class = SlowMotionForm

    def title_suffix(self, params):
        return _("slowed %(factor)s× with blended frames") % {
            "factor": graph_number(params["factor"])
        }

    def summary(self, params):
        return f"speed_change {graph_number(1 / params['factor'])}x blended frames"

    def streams(self, inputs, params, info):
        factor = params["factor"]
        video = inputs[0]["v:0"].setpts(f"{graph_number(factor)}*PTS")
        # framerate blends each new frame from its two neighbours (cheap, unlike minterpolate).
        video = video.filter("framerate", fps=graph_number(info.frame_rate))
        audio = self.source_audio(inputs, info)
        return video, atempo(audio, 1 / factor) if audio is not None else None

    def tells(self, params, duration):
        return [
            PlannedTell(
                TellCategory.SPEED_CHANGE,
                0,
                duration,
                _(
                    "The clip plays %(factor)s times slower than it was filmed and the missing "
                    "frames were blended from their neighbours: moving edges look doubled or "
                    "ghostly, and the sound is drawn out."
                )
                % {"factor": graph_number(params["factor"])},
            )
        ]
