from __future__ import annotations

from django.urls import path

from media_library.views import curate, serving, upload  # noqa: F401 (each fills its block)

app_name = "media_library"

urlpatterns = [
    # --- curate: the curator's library pages ---
    path("curate/", curate.clip_list, name="clip-list"),
    path("curate/clips/<slug:slug>/", curate.clip_detail, name="clip-detail"),
    # --- upload ---
    # --- serving: processed media with HTTP Range support ---
]
