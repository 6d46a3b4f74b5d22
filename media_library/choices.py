"""The fixed vocabularies of the media library: verdicts, techniques, tells, states."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Verdict(models.TextChoices):
    REAL = "real", _("Real")
    DEEPFAKE = "deepfake", _("Deepfake")
    SHALLOWFAKE = "shallowfake", _("Shallowfake")

    @property
    def is_manipulated(self) -> bool:
        return self != Verdict.REAL


class Technique(models.TextChoices):
    FACE_SWAP = "face_swap", _("Face swap")
    LIP_SYNC = "lip_sync", _("Lip sync")
    REENACTMENT = "reenactment", _("Facial reenactment")
    FULLY_SYNTHETIC = "fully_synthetic", _("Fully synthetic face")
    VOICE_CLONE = "voice_clone", _("Voice clone")
    SPEED_CHANGE = "speed_change", _("Speed change")
    SPLICE = "splice", _("Selective edit / splice")
    OUT_OF_CONTEXT = "out_of_context", _("Out of context / false caption")
    CROP = "crop", _("Crop")
    NONE = "none", _("None")


class MediaKind(models.TextChoices):
    VIDEO = "video", _("Video")
    IMAGE = "image", _("Image")


class ProcessingStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be processed")
    PROCESSING = "processing", _("Processing")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")

    @property
    def is_finished(self) -> bool:
        return self in (ProcessingStatus.READY, ProcessingStatus.FAILED)


class PublicationState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")


class TellCategory(models.TextChoices):
    BLINKING = "blinking", _("Blinking")
    TEETH_MOUTH = "teeth_mouth", _("Teeth & mouth")
    LIGHTING = "lighting", _("Lighting & reflections")
    FACE_EDGES = "face_edges", _("Face edges & flicker")
    SKIN = "skin", _("Skin tone & texture")
    HAIR_DETAIL = "hair_detail", _("Hair & fine detail")
    ACCESSORIES = "accessories", _("Accessories")
    LIP_SYNC = "lip_sync", _("Lip sync")
    VOICE_AUDIO = "voice_audio", _("Voice & audio")
    BACKGROUND = "background", _("Background")
    SPEED_CHANGE = "speed_change", _("Speed change")
    CUT_SPLICE = "cut_splice", _("Cut / splice")
    CONTEXT_CAPTION = "context_caption", _("Context / caption")
    CROP = "crop", _("Crop")


class ProvenanceStatus(models.TextChoices):
    """What the upload's C2PA Content Credentials say. Absent means unknown, never fake."""

    NOT_CHECKED = "not_checked", _("Not checked")
    ABSENT = "absent", _("No Content Credentials")
    VALID = "valid", _("Content Credentials present and valid")
    INVALID = "invalid", _("Content Credentials present but invalid")


class TellOrigin(models.TextChoices):
    CURATOR = "curator", _("Marked by a curator")
    WORKSHOP = "workshop", _("Recorded by the shallowfake workshop")
    IMPORT = "import", _("Imported with a dataset or manifest")
