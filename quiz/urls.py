from __future__ import annotations

from django.urls import path

from quiz.views import build, media, share, take

app_name = "quiz"

urlpatterns = [
    # --- take: quizzes, attempts, answer then reveal ---
    path("quizzes/", take.quiz_list, name="quiz-list"),
    path("quizzes/<slug:slug>/", take.quiz_detail, name="quiz-detail"),
    path("quizzes/<slug:slug>/start/", take.quiz_start, name="quiz-start"),
    path("attempts/<uuid:uid>/", take.attempt_resume, name="attempt"),
    path("attempts/<uuid:uid>/feed/", take.feed, name="feed"),
    path("attempts/<uuid:uid>/feed/finish/", take.feed_finish, name="feed-finish"),
    path("attempts/<uuid:uid>/items/<int:position>/", take.item, name="item"),
    path("attempts/<uuid:uid>/items/<int:position>/answer/", take.item_answer, name="item-answer"),
    path(
        "attempts/<uuid:uid>/items/<int:position>/revealed/<str:which>/<str:variant>/",
        media.revealed_media,
        name="revealed-media",
    ),
    path(
        "attempts/<uuid:uid>/items/<int:position>/<str:slot>/<str:variant>/",
        media.item_media,
        name="item-media",
    ),
    path("attempts/<uuid:uid>/results/", take.results, name="results"),
    # --- build: curators and teachers make items and quizzes, and read item statistics ---
    path("build/quizzes/", build.quiz_list, name="build-list"),
    path("build/quizzes/new/", build.quiz_create, name="build-create"),
    path("build/quizzes/<slug:slug>/", build.quiz_edit, name="build-edit"),
    path("build/quizzes/<slug:slug>/copy/", build.quiz_copy, name="build-copy"),
    path("build/quizzes/<slug:slug>/items/add/", build.quiz_add_item, name="build-add-item"),
    path(
        "build/quizzes/<slug:slug>/items/<int:pk>/remove/",
        build.quiz_remove_item,
        name="build-remove-item",
    ),
    path("build/quizzes/<slug:slug>/stats/", build.quiz_stats, name="build-stats"),
    path("build/items/", build.item_list, name="build-items"),
    path("build/items/new/", build.item_create, name="build-item-create"),
    # --- share: public, no personal data ---
    path("shared/<uuid:uid>/", share.share_page, name="share"),
    path("shared/<uuid:uid>/card.png", share.share_card, name="share-card"),
]
