from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from media_library.access import curator_required
from media_library.models import Clip


@curator_required
def clip_list(request: HttpRequest) -> HttpResponse:
    return render(request, "media_library/clip_list.html", {"clips": Clip.objects.all()})


@curator_required
def clip_detail(request: HttpRequest, slug: str) -> HttpResponse:
    clip = get_object_or_404(Clip, slug=slug)
    return render(request, "media_library/clip_detail.html", {"clip": clip})
