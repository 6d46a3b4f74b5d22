"""What the library tells the apps above it, which it must not import: they connect receivers
from their own AppConfig.ready()."""

from __future__ import annotations

from django.dispatch import Signal

# Sent with `clip=` once a published (or in-review) clip is back to draft, in the same
# transaction as the change: the quiz finishes attempts the withdrawal left nothing to answer.
clip_withdrawn = Signal()
