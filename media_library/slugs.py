"""Slugs made from titles, unique in their table: the clip's and the quiz's URLs."""

from __future__ import annotations

from typing import ClassVar

from django.utils.text import slugify


class SlugFromTitle:
    """Mixed into a model with `title` and a unique `slug`: a row saved without a slug gets one
    from its title ("title", then "title-2", "title-3"…); SLUG_FALLBACK when the title has no
    letters a slug can keep."""

    SLUG_FALLBACK: ClassVar[str]

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = self.unique_slug(self.title)
        super().save(*args, **kwargs)

    @classmethod
    def unique_slug(cls, title: str) -> str:
        base = slugify(title)[:200] or cls.SLUG_FALLBACK
        slug, n = base, 2
        while cls._default_manager.filter(slug=slug).exists():
            slug, n = f"{base}-{n}", n + 1
        return slug
