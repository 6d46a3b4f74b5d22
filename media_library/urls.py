from __future__ import annotations

from django.urls import path

from media_library.views import curate, serving, upload, workshop

app_name = "media_library"

urlpatterns = [
    # --- curate: the curator's library pages ---
    path("curate/", curate.clip_list, name="clip-list"),
    path("curate/clips/<slug:slug>/", curate.clip_detail, name="clip-detail"),
    path("curate/clips/<slug:slug>/edit/", curate.clip_edit, name="clip-edit"),
    path("curate/clips/<slug:slug>/submit/", curate.clip_submit, name="clip-submit"),
    path("curate/clips/<slug:slug>/publish/", curate.clip_publish, name="clip-publish"),
    path("curate/clips/<slug:slug>/withdraw/", curate.clip_withdraw, name="clip-withdraw"),
    path("curate/clips/<slug:slug>/retry/", curate.clip_retry, name="clip-retry"),
    path("curate/clips/<slug:slug>/analyze/", curate.clip_analyze, name="clip-analyze"),
    path("curate/clips/<slug:slug>/delete/", curate.clip_delete, name="clip-delete"),
    path("curate/clips/<slug:slug>/erase/", curate.clip_erase, name="clip-erase"),
    path("curate/clips/<slug:slug>/tells/", curate.tell_create, name="tell-create"),
    path("curate/tells/<int:pk>/edit/", curate.tell_edit, name="tell-edit"),
    path("curate/tells/<int:pk>/delete/", curate.tell_delete, name="tell-delete"),
    # --- upload ---
    path("curate/upload/", upload.clip_upload, name="clip-upload"),
    # --- workshop ---
    path("curate/clips/<slug:slug>/workshop/", workshop.clip_workshop, name="clip-workshop"),
    # --- serving: processed media with HTTP Range support ---
    path("media/clips/<uuid:uid>/captions.vtt", serving.clip_captions, name="clip-captions"),
    path(
        "media/clips/<uuid:uid>/captions/<slug:language>.vtt",
        serving.clip_captions,
        name="clip-captions-language",
    ),
    path("media/clips/<uuid:uid>/<str:variant>/", serving.clip_file, name="clip-file"),
    path("media/tells/<int:pk>/still/", serving.tell_still, name="tell-still"),
]
