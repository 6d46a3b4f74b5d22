"""The tell categories the detector's signals point at, as plain strings.

Each is the value of a `media_library.models.TellCategory` (the category a curator marks and a
lesson teaches); media_library maps a measurement's `tell` back to that choice, and a test checks
that every string here is one of its values, so the two cannot drift apart.
"""

from __future__ import annotations

BLINKING = "blinking"
TEETH_MOUTH = "teeth_mouth"
LIGHTING = "lighting"
FACE_EDGES = "face_edges"
SKIN = "skin"
HAIR_DETAIL = "hair_detail"
LIP_SYNC = "lip_sync"
VOICE_AUDIO = "voice_audio"
SPEED_CHANGE = "speed_change"
CUT_SPLICE = "cut_splice"

ALL = (
    BLINKING,
    TEETH_MOUTH,
    LIGHTING,
    FACE_EDGES,
    SKIN,
    HAIR_DETAIL,
    LIP_SYNC,
    VOICE_AUDIO,
    SPEED_CHANGE,
    CUT_SPLICE,
)
