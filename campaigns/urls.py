from __future__ import annotations

from django.urls import path

app_name = "campaigns"

urlpatterns = [
    # --- public: the visitor's journey (campaigns/views/public.py) ---
    # --- organize: organizers' campaigns and dashboards (campaigns/views/organize.py) ---
]
