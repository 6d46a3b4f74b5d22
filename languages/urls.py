from django.urls import path

from languages import views

app_name = "languages"

urlpatterns = [
    path("language/", views.choose_language, name="choose"),
]
