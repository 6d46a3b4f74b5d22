from __future__ import annotations

from django.urls import path

from campaigns.views import organize

app_name = "campaigns"

urlpatterns = [
    # --- public: the visitor's journey (campaigns/views/public.py) ---
    # --- organize: organizers' campaigns and dashboards (campaigns/views/organize.py) ---
    path("campaigns/manage/", organize.manage_list, name="manage-list"),
    path("campaigns/manage/new/", organize.manage_create, name="manage-create"),
    path("campaigns/manage/<slug:slug>/", organize.manage_edit, name="manage-edit"),
    path("campaigns/manage/<slug:slug>/dashboard/", organize.dashboard, name="dashboard"),
    path(
        "campaigns/manage/<slug:slug>/dashboard.csv", organize.dashboard_csv, name="dashboard-csv"
    ),
]
