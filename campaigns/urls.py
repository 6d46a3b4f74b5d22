from __future__ import annotations

from django.urls import path

from campaigns.views import organize, public

app_name = "campaigns"

urlpatterns = [
    # --- public: the visitor's journey (campaigns/views/public.py) ---
    path("c/<slug:slug>/", public.landing, name="landing"),
    path("c/<slug:slug>/embed/", public.embed, name="embed"),
    path("c/<slug:slug>/privacy/", public.privacy, name="privacy"),
    path("c/<slug:slug>/theme.css", public.theme, name="theme"),
    path("c/<slug:slug>/logo.png", public.logo, name="logo"),
    path("c/<slug:slug>/start/", public.start, name="start"),
    path("c/<slug:slug>/done/<uuid:uid>/", public.result, name="result"),
    path("c/<slug:slug>/done/<uuid:uid>/survey/", public.survey_after, name="survey-after"),
    path("c/<slug:slug>/shared/<str:key>/", public.share, name="share"),
    path("c/<slug:slug>/shared/<str:key>/card.png", public.share_card, name="share-card"),
    path("c/<slug:slug>/again/<str:key>/", public.booster, name="booster"),
    # --- organize: organizers' campaigns and dashboards (campaigns/views/organize.py) ---
    path("campaigns/manage/", organize.manage_list, name="manage-list"),
    path("campaigns/manage/new/", organize.manage_create, name="manage-create"),
    path("campaigns/manage/<slug:slug>/", organize.manage_edit, name="manage-edit"),
    path("campaigns/manage/<slug:slug>/dashboard/", organize.dashboard, name="dashboard"),
    path(
        "campaigns/manage/<slug:slug>/dashboard.csv", organize.dashboard_csv, name="dashboard-csv"
    ),
]
