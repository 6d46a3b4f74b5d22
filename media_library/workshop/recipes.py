"""The workshop's recipes: how each kind of shallowfake is made, named, labelled and explained.

A recipe turns a real clip's processed MP4 into an edited one with one ffmpeg filter graph
(built with ffmpeg-python), and says which tells the result carries. The cases are the cheap
fakes that fooled people: slowed speech (Pelosi, 2019), a sped-up moment (Acosta, 2018), a
selective cut (Starmer, 2019), frame-blended slow motion, a swapped sound track, a mirror or a
crop that changes what is seen, and real footage under a false news caption.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import ffmpeg
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from media_library.ffmpeg import ffmpeg_binary
from media_library.models import Technique, TellCategory
from media_library.models.tell import format_timestamp
from media_library.workshop import caption as lower_third
from media_library.workshop.forms import (
    AudioReplacement,
    AudioSwapForm,
    CropForm,
    FalseCaptionForm,
    MirrorForm,
    RecipeForm,
    SlowMotionForm,
    SlowSpeechForm,
    SourceInfo,
    SpeedUpMomentForm,
    SpliceForm,
)

# The intermediate file is encoded nearly losslessly: processing encodes it once more.
INTERMEDIATE_CRF = 18
AUDIO_RATE = 48000
# A stretch shorter than a frame at either end of a cut is left out rather than concatenated.
MIN_SEGMENT_SECONDS = 0.04


@dataclass(frozen=True)
class PlannedTell:
    category: TellCategory
    start: float
    end: float
    explanation: str
    box: tuple[float, float, float, float] | None = None


@dataclass(frozen=True)
class ExtraInput:
    """An input besides the original: another clip's file (by uid), a lavfi source, or the
    caption picture drawn at render time."""

    kind: str  # "clip", "lavfi" or "caption"
    value: str = ""


def _num(value: float) -> str:
    """A number as it appears in a filter graph: short and exact enough."""
    return f"{value:.4f}".rstrip("0").rstrip(".")


def _pct(factor: float) -> str:
    return f"{factor * 100:.0f}"


def atempo(audio, tempo: float):
    """Change the audio's speed keeping its pitch; one atempo filter takes 0.5 to 100."""
    while tempo < 0.5:
        audio = audio.filter("atempo", 0.5)
        tempo /= 0.5
    return audio.filter("atempo", _num(tempo))


def segment(video, audio, start: float, end: float | None, speed: float = 1.0):
    """[start, end) of both streams from time zero, played at `speed`."""
    bounds = {"start": _num(start)} | ({"end": _num(end)} if end is not None else {})
    pts = "PTS-STARTPTS" if speed == 1 else f"(PTS-STARTPTS)/{_num(speed)}"
    video = video.trim(**bounds).setpts(pts)
    if audio is not None:
        audio = audio.filter("atrim", **bounds).filter("asetpts", "PTS-STARTPTS")
        if speed != 1:
            audio = atempo(audio, speed)
    return video, audio


def join(parts: list[tuple], has_audio: bool):
    if len(parts) == 1:
        return parts[0]
    streams = [stream for part in parts for stream in (part if has_audio else part[:1])]
    joined = ffmpeg.concat(*streams, v=1, a=1 if has_audio else 0).node
    return joined[0], (joined[1] if has_audio else None)


class Recipe:
    name: ClassVar[str]
    label: ClassVar[str]
    description: ClassVar[str]
    technique: ClassVar[Technique]
    form_class: ClassVar[type[RecipeForm]]

    def form(self, data=None, *, source, **kwargs) -> RecipeForm:
        return self.form_class(data, source=source, **kwargs)

    def params_json(self, cleaned: dict) -> dict:
        """The cleaned parameters as they are stored in the recipe (plain JSON values)."""
        return {
            key: round(value, 4) if isinstance(value, float) else value
            for key, value in cleaned.items()
        }

    def title(self, original: str, params: dict) -> str:
        return f"{original} — {self.title_suffix(params)}"

    def title_suffix(self, params: dict) -> str:
        raise NotImplementedError

    def summary(self, params: dict) -> str:
        """How, in a few machine-readable words, for the file's mark."""
        raise NotImplementedError

    def extra_inputs(self, params: dict, info: SourceInfo) -> list[ExtraInput]:
        return []

    def streams(self, inputs: list, params: dict, info: SourceInfo):
        """The (video, audio-or-None) output streams built from the input nodes."""
        raise NotImplementedError

    def tells(self, params: dict, duration: float) -> list[PlannedTell]:
        """The tells of the result, whose probed duration is `duration`."""
        raise NotImplementedError

    def command(
        self, paths: list[Path | str], target: Path | str, params: dict, info: SourceInfo
    ) -> list[str]:
        """The ffmpeg arguments: `paths[0]` is the original's processed MP4, then one path
        (or lavfi source) per extra input."""
        inputs = [ffmpeg.input(str(paths[0]), f="mov", protocol_whitelist="file")]
        for extra, path in zip(self.extra_inputs(params, info), paths[1:], strict=True):
            if extra.kind == "lavfi":
                inputs.append(ffmpeg.input(extra.value, f="lavfi"))
            elif extra.kind == "caption":
                inputs.append(ffmpeg.input(str(path), f="png_pipe", protocol_whitelist="file"))
            else:
                inputs.append(ffmpeg.input(str(path), f="mov", protocol_whitelist="file"))
        video, audio = self.streams(inputs, params, info)
        outputs = [video] + ([audio] if audio is not None else [])
        audio_options = {"c:a": "aac", "b:a": "192k", "ac": 2} if audio is not None else {}
        graph = ffmpeg.output(
            *outputs,
            str(target),
            f="mp4",
            **{"c:v": "libx264"},
            preset="veryfast",
            crf=INTERMEDIATE_CRF,
            pix_fmt="yuv420p",
            map_metadata=-1,
            **audio_options,
        ).global_args("-nostdin", "-hide_banner", "-nostats", "-loglevel", "error", "-y")
        return graph.compile(cmd=ffmpeg_binary())

    def filter_graph(self, params: dict, info: SourceInfo) -> str:
        """The -filter_complex string, as recorded in the recipe."""
        extras = self.extra_inputs(params, info)
        paths = ["original.mp4", *(f"input{i}" for i in range(1, len(extras) + 1))]
        args = self.command(paths, "result.mp4", params, info)
        return args[args.index("-filter_complex") + 1] if "-filter_complex" in args else ""

    def input_labels(self, params: dict, info: SourceInfo) -> list[str]:
        extras = self.extra_inputs(params, info)
        return ["original", *(f"{e.kind}:{e.value}" if e.value else e.kind for e in extras)]

    def source_audio(self, inputs: list, info: SourceInfo):
        return inputs[0]["a:0"] if info.has_audio else None


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
        return _("slowed to %(pct)s %%") % {"pct": _pct(params["factor"])}

    def summary(self, params: dict) -> str:
        return f"speed_change {_num(params['factor'])}x"

    def streams(self, inputs, params, info):
        factor = params["factor"]
        video = (
            inputs[0]["v:0"].setpts(f"PTS/{_num(factor)}").filter("fps", fps=_num(info.frame_rate))
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
                % {"pct": _pct(params["factor"])},
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
        return _("sped up %(factor)s\N{MULTIPLICATION SIGN} at %(at)s") % {
            "factor": _num(params["factor"]),
            "at": format_timestamp(params["start"]),
        }

    def summary(self, params):
        return (
            f"speed_change {_num(params['factor'])}x "
            f"from {_num(params['start'])}s to {_num(params['end'])}s"
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
        return video.filter("fps", fps=_num(info.frame_rate)), audio

    def tells(self, params, duration):
        start, end, factor = params["start"], params["end"], params["factor"]
        fast_end = min(duration, start + (end - start) / factor)
        return [
            PlannedTell(
                TellCategory.SPEED_CHANGE,
                start,
                max(start, fast_end),
                _(
                    "From %(from)s to %(to)s the clip runs %(factor)s\N{MULTIPLICATION SIGN} "
                    "faster than real life while the rest plays normally: the movement in this "
                    "stretch looks abrupt and forceful, and voices in it sound hurried."
                )
                % {
                    "from": format_timestamp(start),
                    "to": format_timestamp(fast_end),
                    "factor": _num(factor),
                },
            )
        ]


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
            "s": _num(round(params["end"] - params["start"], 1)),
            "at": format_timestamp(params["start"]),
        }

    def summary(self, params):
        return f"splice removed {_num(params['start'])}s to {_num(params['end'])}s"

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
                % {"at": format_timestamp(at), "s": _num(params["end"] - params["start"])},
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
        return _("slowed %(factor)s\N{MULTIPLICATION SIGN} with blended frames") % {
            "factor": _num(params["factor"])
        }

    def summary(self, params):
        return f"speed_change {_num(1 / params['factor'])}x blended frames"

    def streams(self, inputs, params, info):
        factor = params["factor"]
        video = inputs[0]["v:0"].setpts(f"{_num(factor)}*PTS")
        # framerate blends each new frame from its two neighbours (cheap, unlike minterpolate).
        video = video.filter("framerate", fps=_num(info.frame_rate))
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
                % {"factor": _num(params["factor"])},
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
        length = _num(info.duration)
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


class Mirror(Recipe):
    name = "mirror"
    label = gettext_lazy("Mirror")
    description = gettext_lazy(
        "The picture is flipped left to right: a person turns the other way, a march heads "
        "the other direction, writing reads backwards."
    )
    technique = Technique.SPLICE
    form_class = MirrorForm

    def title_suffix(self, params):
        return _("mirrored")

    def summary(self, params):
        return "mirror hflip"

    def streams(self, inputs, params, info):
        return inputs[0]["v:0"].hflip(), self.source_audio(inputs, info)

    def tells(self, params, duration):
        return [
            PlannedTell(
                TellCategory.BACKGROUND,
                0,
                duration,
                _(
                    "The picture is mirrored left to right. Writing and numbers read "
                    "backwards, a parting, watch or wedding ring sits on the wrong side, and "
                    "every direction in the scene is reversed."
                ),
            )
        ]


class Crop(Recipe):
    name = "crop"
    label = gettext_lazy("Crop")
    description = gettext_lazy(
        "Only part of the frame is kept, so what stood beside it — a crowd, a second person, "
        "the cause of a reaction — disappears."
    )
    technique = Technique.CROP
    form_class = CropForm

    def title_suffix(self, params):
        return _("cropped")

    def summary(self, params):
        return "crop x={x} y={y} w={width} h={height}".format(
            **{k: _num(params[k]) for k in ("x", "y", "width", "height")}
        )

    @staticmethod
    def pixel_box(params: dict, info: SourceInfo) -> tuple[int, int, int, int]:
        """(x, y, w, h) in even pixels inside the source frame."""

        def even(value: float) -> int:
            return int(value) // 2 * 2

        w = max(2, even(params["width"] * info.width))
        h = max(2, even(params["height"] * info.height))
        x = min(even(params["x"] * info.width), info.width - w)
        y = min(even(params["y"] * info.height), info.height - h)
        return max(0, x), max(0, y), w, h

    def streams(self, inputs, params, info):
        x, y, w, h = self.pixel_box(params, info)
        return inputs[0]["v:0"].crop(x, y, w, h), self.source_audio(inputs, info)

    def tells(self, params, duration):
        x, y, w, h = (params[k] for k in ("x", "y", "width", "height"))
        return [
            PlannedTell(
                TellCategory.CROP,
                0,
                duration,
                _(
                    "Only part of the original frame is shown: the box from %(left)s %% to "
                    "%(right)s %% across and %(top)s %% to %(bottom)s %% down. Whatever was "
                    "outside it — who else was there, what caused a reaction — is gone."
                )
                % {
                    "left": _pct(x),
                    "right": _pct(x + w),
                    "top": _pct(y),
                    "bottom": _pct(y + h),
                },
            )
        ]


class FalseCaption(Recipe):
    name = "false_caption"
    label = gettext_lazy("False caption")
    description = gettext_lazy(
        "The real footage is shown unchanged under a false news caption that says it shows "
        "something else — the most common cheap fake of all."
    )
    technique = Technique.OUT_OF_CONTEXT
    form_class = FalseCaptionForm

    def title_suffix(self, params):
        return _("with a false caption")

    def summary(self, params):
        return "out_of_context false caption"

    def extra_inputs(self, params, info):
        return [ExtraInput("caption")]

    def streams(self, inputs, params, info):
        video = inputs[0]["v:0"].overlay(inputs[1], x=0, y=0, eof_action="repeat")
        return video, self.source_audio(inputs, info)

    def render_caption(self, params: dict, info: SourceInfo, target: Path) -> None:
        lower_third.render_lower_third(
            params["caption"], params.get("kicker", ""), info.width, info.height, target
        )

    def tells(self, params, duration):
        return [
            PlannedTell(
                TellCategory.CONTEXT_CAPTION,
                0,
                duration,
                _(
                    "The footage is real, but the caption “%(caption)s” was added afterwards "
                    "and is false: the pictures do not show what it claims. Before trusting a "
                    "caption, find where and when the footage was first published."
                )
                % {"caption": params["caption"]},
                box=lower_third.TELL_BOX,
            )
        ]


RECIPES: dict[str, Recipe] = {
    recipe.name: recipe
    for recipe in (
        SlowSpeech(),
        SpeedUpMoment(),
        Splice(),
        SlowMotion(),
        AudioSwap(),
        Mirror(),
        Crop(),
        FalseCaption(),
    )
}


def get_recipe(name: str) -> Recipe | None:
    return RECIPES.get(name)
