"""Bench-only middleware (bench/settings.py puts it first): each response says how much CPU
its request took in the worker, for gunicorn's access log.

Wall-clock time in the worker includes waiting for a core, which other jobs on a shared
machine stretch at random; the CPU a request needs barely changes, so the benches compare
pages on it.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

HEADER = "X-Bench-CPU-Ms"


def cpu_time(get_response: Callable[[HttpRequest], HttpResponse]):
    def middleware(request: HttpRequest) -> HttpResponse:
        # The thread's own CPU: with sync workers, one request's alone.
        start = time.thread_time()
        response = get_response(request)
        response[HEADER] = f"{(time.thread_time() - start) * 1000:.3f}"
        return response

    return middleware
