from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from media_library.models import Clip
from media_library.throttle import Throttle, client_address, hit_all


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html", {"published_count": Clip.objects.published().count()})


def login_throttles() -> tuple[Throttle, Throttle]:
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    return (
        Throttle("login-account", settings.LOGIN_FAILURES_PER_ACCOUNT, window),
        Throttle("login-address", settings.LOGIN_FAILURES_PER_ADDRESS, window),
    )


class ThrottledLoginView(LoginView):
    """Django's log-in, with failed attempts counted per account and per address. Past either
    limit the form is refused before any password is checked, with one message whether or not
    the account exists (so the refusal says nothing about which usernames are real)."""

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        by_account, by_address = login_throttles()
        account = request.POST.get("username", "").strip().casefold()
        if by_account.exceeded(account) or by_address.exceeded(client_address(request)):
            # An unbound form: binding it would check the password, the cost being refused.
            form = self.form_class(request, initial={"username": request.POST.get("username")})
            minutes = max(1, settings.LOGIN_FAILURE_WINDOW_SECONDS // 60)
            refusal = _(
                "Too many failed log-ins. Wait %(minutes)d minutes and try again, or ask your "
                "teacher to reset your password."
            ) % {"minutes": minutes}
            context = self.get_context_data(form=form, refusal=refusal)
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form) -> HttpResponse:
        by_account, by_address = login_throttles()
        account = self.request.POST.get("username", "").strip().casefold()
        hit_all([(by_account, account), (by_address, client_address(self.request))])
        return super().form_invalid(form)

    def form_valid(self, form) -> HttpResponse:
        by_account, _by_address = login_throttles()
        by_account.reset(form.get_user().get_username().casefold())
        return super().form_valid(form)
