"""`{% provided_link name arg… as link %}`: a link a higher app provides (media_library/links.py),
or None when none is registered."""

from __future__ import annotations

from django import template

from media_library import links

register = template.Library()


@register.simple_tag(takes_context=True)
def provided_link(context, name: str, *args) -> links.Link | None:
    """Looked up once per name and arguments per page render, however often the page asks
    (a reveal names the same tell category on many tells)."""
    cache = context.render_context.setdefault("provided_links", {})
    key = (name, *args)
    if key not in cache:
        cache[key] = links.resolve(name, *args)
    return cache[key]
