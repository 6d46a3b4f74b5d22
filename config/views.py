from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from media_library.models import Clip


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html", {"published_count": Clip.objects.published().count()})
