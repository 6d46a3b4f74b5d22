"""The demo pack's quizzes: one of each mode over the demo clips, every item type among them.

Called by seed_demo (lessons' command) once the demo clips exist. Re-running changes nothing:
items are found by what they ask about, quizzes by their slug; a quiz an earlier run made
without translations gets them (one a curator wrote is kept). The demo items ask the default
question of their kind, which the interface translates, so they have no prompt of their own.
"""

from __future__ import annotations

from languages.commands import gettext as _
from languages.texts import Texts, fill_missing
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
        "title": Texts(
            "Demo: real or fake? (practice)",
            "Demo: ¿real o falso? (práctica)",
            "演示：真实还是伪造？（练习）",
        ),
        "description": Texts(
            "Eleven items of every kind, with the answer and its tells after each one.",
            "Once preguntas de todos los tipos; después de cada una, la respuesta y sus pistas.",
            "十一道题，各种题型都有；每答完一道，就能看到答案和其中的破绽。",
        ),
        "mode": Mode.PRACTICE,
        "selection": Selection.FIXED,
    },
    {
        "slug": "demo-assessment",
        "title": Texts(
            "Demo: check yourself (assessment)",
            "Demo: ponte a prueba (evaluación)",
            "演示：检验一下自己（测评）",
        ),
        "description": Texts(
            "Items drawn from the demo clips kept for tests (no lesson shows them); you see how "
            "you did at the end.",
            "Preguntas sacadas de los clips de demostración reservados para evaluar (ninguna "
            "lección los muestra); al final verás cómo te fue.",
            "题目取自专门留作测评的演示片段（任何课程都不会展示它们）；全部答完后，你会看到"
            "自己的成绩。",
        ),
        "mode": Mode.ASSESSMENT,
        "selection": Selection.POOL,
        "pool_size": 8,
        "order": "shuffled",
    },
    {
        "slug": "demo-feed",
        "title": Texts(
            "Demo: scroll the feed",
            "Demo: recorre el muro",
            "演示：刷一刷信息流",
        ),
        "description": Texts(
            "Posts the way they reach your phone. Most are genuine; one is not.",
            "Publicaciones tal como te llegan al teléfono. Casi todas son auténticas; una no.",
            "就像手机上刷到的帖子。大多数是真实的，但有一条不是。",
        ),
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
        texts = {name: fields.pop(name) for name in ("title", "description")}
        columns = {
            column: value
            for name, text in texts.items()
            for column, value in text.columns(name).items()
        }
        quiz, created = Quiz.objects.get_or_create(
            slug=slug, defaults={**fields, **columns, "is_published": True, "created_by": owner}
        )
        if not created and (changed := fill_missing(quiz, **texts)):
            quiz.save(update_fields=changed)
        # Every run, so a demo clip rebuilt after a stopped run gets its items back.
        if quiz.selection == Selection.FIXED:
            for item in items:
                quiz.add_item(item)
    ready = Item.objects.available().filter(pk__in=[item.pk for item in items]).count()
    return _(
        "Quizzes: %(quizzes)d demo quizzes (practice, assessment, feed) over %(items)d items, "
        "%(ready)d ready to play."
    ) % {"quizzes": len(QUIZZES), "items": len(items), "ready": ready}
