from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from config import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.ThrottledLoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("media_library.urls")),
    path("", include("quiz.urls")),
    path("", include("campaigns.urls")),
    path("", include("lessons.urls")),
    path("", include("lessons.classroom_urls")),
    path("admin/", admin.site.urls),
]
