"""What every workshop recipe is: its parameters, its title, its ffmpeg graph and its tells,
with the filter-graph pieces the recipes share (a stretch at a speed, joined stretches).

A recipe turns a real clip's processed MP4 into an edited one with one ffmpeg filter graph
(built with ffmpeg-python), and says which tells the result carries.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import ffmpeg

from media_library.choices import Technique, TellCategory
from media_library.ffmpeg import ffmpeg_binary
from media_library.workshop.forms import RecipeForm, SourceInfo

# The intermediate file is encoded nearly losslessly: processing encodes it once more.
INTERMEDIATE_CRF = 18
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


def graph_number(value: float) -> str:
    """A number as it appears in a filter graph: short and exact enough."""
    return f"{value:.4f}".rstrip("0").rstrip(".")


def percent(factor: float) -> str:
    return f"{factor * 100:.0f}"


def atempo(audio, tempo: float):
    """Change the audio's speed keeping its pitch; one atempo filter takes 0.5 to 100."""
    while tempo < 0.5:
        audio = audio.filter("atempo", 0.5)
        tempo /= 0.5
    return audio.filter("atempo", graph_number(tempo))


def segment(video, audio, start: float, end: float | None, speed: float = 1.0):
    """[start, end) of both streams from time zero, played at `speed`."""
    bounds = {"start": graph_number(start)} | (
        {"end": graph_number(end)} if end is not None else {}
    )
    pts = "PTS-STARTPTS" if speed == 1 else f"(PTS-STARTPTS)/{graph_number(speed)}"
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
