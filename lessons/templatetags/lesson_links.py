"""Links from anywhere a tell is named (the quiz reveal, the detector's reasons) to the lesson
that teaches it: `{% lesson_for_tell tell.category as lesson %}`."""

from __future__ import annotations

from django import template

from lessons.models import Lesson

register = template.Library()


@register.simple_tag(takes_context=True)
def lesson_for_tell(context, category: str) -> Lesson | None:
    """The published lesson for a TellCategory value, or None. Looked up once per category
    per page render, however many tells or reasons name it."""
    cache = context.render_context.setdefault("lessons_by_tell", {})
    if category not in cache:
        cache[category] = Lesson.objects.for_tell(category)
    return cache[category]
