"""The face-manipulation signals, each tied to a tell the lessons teach.

They read the small per-frame numbers the FaceTracker kept (landmarks, detail and colour
statistics) and the footage's loudness envelope. Thresholds were set on real, heavily
compressed dev footage (FaceForensics++ c40 originals) so ordinary footage sits at feature 0;
heavy compression hides much of what these signals look for, so on such footage they are weak
and the strengths say so. See docs/detector-face-signals.md for the figures behind each one.

Each signal lives in the module named after what it looks at: `blinking`, `mouth` (teeth and
lip sync), `face_edges` (boundary blending, colour flicker, skin tone), `eye_highlights`,
`spectrum` and `face_noise` (noise, compression and motion traces of a pasted or generated face
against the rest of the picture); this module runs them all and draws the face signal over time.
"""

from __future__ import annotations

from media_library.detector.faces import FaceTracker
from media_library.detector.footage import Footage
from media_library.detector.measurements import Measurement
from media_library.detector.signals.blinking import blink_rate
from media_library.detector.signals.eye_highlights import eye_highlights
from media_library.detector.signals.face_common import excess_feature
from media_library.detector.signals.face_edges import (
    BLUR_STEP_HIGH,
    BLUR_STEP_UNIT,
    FLICKER_HIGH,
    FLICKER_UNIT,
    blur_step,
    boundary_blending,
    colour_flicker,
    flicker_series,
    skin_tone,
)
from media_library.detector.signals.face_noise import (
    blend_boundary,
    blocking_grid,
    face_spectrum,
    landmark_jitter,
    noise_flicker,
    noise_mismatch,
)
from media_library.detector.signals.mouth import lip_sync, mouth_detail
from media_library.detector.signals.spectrum import spectrum

ALL_NAMES = (
    "blink_rate",
    "mouth_detail",
    "boundary_blending",
    "colour_flicker",
    "skin_tone",
    "eye_highlights",
    "lip_sync",
    "spectrum",
    "noise_mismatch",
    "blocking_grid",
    "blend_boundary",
    "noise_flicker",
    "landmark_jitter",
    "face_spectrum",
)


def measure_face(footage: Footage, track: FaceTracker) -> list[Measurement]:
    """Every face signal, always in ALL_NAMES order, unmeasured ones included."""
    frames = track.frames
    still = footage.kind == "image"
    return [
        blink_rate(track, still),
        mouth_detail(frames, track.sample_step, still),
        boundary_blending(frames, track.tracked_seconds, still),
        colour_flicker(track, still),
        skin_tone(frames),
        eye_highlights(frames),
        lip_sync(footage, track),
        spectrum(footage),
        noise_mismatch(frames, track.tracked_seconds, still),
        blocking_grid(frames, track.tracked_seconds, still),
        blend_boundary(frames, track.tracked_seconds, still),
        noise_flicker(track, still),
        landmark_jitter(track, still),
        face_spectrum(footage, frames),
    ]


def face_timeline(track: FaceTracker) -> list[tuple[float, float]]:
    """(time, 0..1) per tracked frame for the curator's chart: the mean of the boundary blur
    and colour flicker features of that frame, over 3."""
    points: list[tuple[float, float]] = []
    for run in track.segments():
        flicker = flicker_series(run)
        for frame, jitter in zip(run, flicker, strict=True):
            blur = excess_feature(blur_step(frame) - BLUR_STEP_HIGH, BLUR_STEP_UNIT)
            flick = excess_feature(jitter - FLICKER_HIGH, FLICKER_UNIT)
            points.append((round(frame.time, 3), round((blur + flick) / 6, 3)))
    return points
