from __future__ import annotations

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from config import views

# Every page in three languages: English unprefixed (its addresses never changed), Spanish
# under /es/ and Chinese under /zh-hans/, so a link names its language and a cache keys on it
# (languages/middleware.py sends a first visit to the visitor's language).
urlpatterns = [
    *i18n_patterns(
        path("", views.home, name="home"),
        path("accounts/login/", views.ThrottledLoginView.as_view(), name="login"),
        path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
        path("", include("media_library.urls")),
        path("", include("quiz.urls")),
        path("", include("campaigns.urls")),
        path("", include("lessons.urls")),
        path("", include("lessons.classroom_urls")),
        prefix_default_language=False,
    ),
    path("", include("languages.urls")),
    path("admin/", admin.site.urls),
]
