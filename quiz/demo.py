"""The demo pack's quizzes: one of each mode over the demo clips, every item type among them.

Called by seed_demo (lessons' command) once the demo clips exist. Re-running changes nothing:
items are found by what they ask about, quizzes by their slug.
"""

from __future__ import annotations

from media_library.models import Clip
from quiz.models import Item, ItemKind, Mode, Quiz, Selection, SpotTarget

PRACTICE_ITEMS = (
    (ItemKind.VERDICT, "real/hopper", ""),
    (ItemKind.VERDICT, "deepfake/hopper-face-on-collins", ""),
    (ItemKind.PAIR, "real/rocket", "shallowfake/rocket-false-date"),
    (ItemKind.SPOT_TELL, "deepfake/collins-face-on-hopper", ""),
    (ItemKind.TECHNIQUE, "shallowfake/shuttle-model-crop", ""),
    (ItemKind.VERDICT, "shallowfake/deep-field-swarm-video", ""),
    (ItemKind.VERDICT, "real/hubble", ""),
    (ItemKind.SPOT_TELL, "deepfake/hopper-face-on-collins-video", ""),
    (ItemKind.VERDICT, "real/collins", ""),
    (ItemKind.TECHNIQUE, "deepfake/morph-on-collins", ""),
    (ItemKind.VERDICT, "real/rocket", ""),
)

QUIZZES = (
    {
        "slug": "demo-practice",
        "title": "Demo: real or fake? (practice)",
        "description": "Eleven items of every kind, with the answer and its tells after each one.",
        "mode": Mode.PRACTICE,
        "selection": Selection.FIXED,
    },
    {
        "slug": "demo-assessment",
        "title": "Demo: check yourself (assessment)",
        "description": (
            "Items drawn from the demo clips kept for tests (no lesson shows them); you see how "
            "you did at the end."
        ),
        "mode": Mode.ASSESSMENT,
        "selection": Selection.POOL,
        "pool_size": 8,
        "order": "shuffled",
    },
    {
        "slug": "demo-feed",
        "title": "Demo: scroll the feed",
        "description": "Posts the way they reach your phone. Most are genuine; one is not.",
        "mode": Mode.FEED,
        "selection": Selection.POOL,
        "pool_size": 5,
        "feed_fake_percent": 20,
    },
)


def seed_demo_quizzes(clips: dict[str, Clip], owner) -> str:
    """Make (or find) the demo items and quizzes; returns one line for seed_demo to print."""
    items = []
    for kind, key, other_key in PRACTICE_ITEMS:
        clip, other = clips[key], clips.get(other_key) if other_key else None
        if kind == ItemKind.PAIR:
            # A pair names its fake first; the attempt decides which side it shows on.
            clip, other = (other, clip) if other.is_manipulated else (clip, other)
        target = SpotTarget.REGION if clip.kind == "image" else SpotTarget.BOTH
        item = Item.objects.filter(kind=kind, clip=clip, other_clip=other).first()
        if item is None:
            item = Item(
                kind=kind, clip=clip, other_clip=other, spot_target=target, created_by=owner
            )
            item.full_clean()
            item.save()
        items.append(item)
    for fields in QUIZZES:
        fields = dict(fields)
        slug = fields.pop("slug")
        quiz, _created = Quiz.objects.get_or_create(
            slug=slug, defaults={**fields, "is_published": True, "created_by": owner}
        )
        # Every run, so a demo clip rebuilt after a stopped run gets its items back.
        if quiz.selection == Selection.FIXED:
            for item in items:
                quiz.add_item(item)
    ready = Item.objects.available().filter(pk__in=[item.pk for item in items]).count()
    return (
        f"Quizzes: {len(QUIZZES)} demo quizzes (practice, assessment, feed) over "
        f"{len(items)} items, {ready} ready to play."
    )
