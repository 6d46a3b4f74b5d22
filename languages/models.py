"""The language a signed-in person chose, kept on their account so that it follows them to any
browser they sign in on (a student's shared classroom computer, a teacher's phone)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LanguagePreference(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="language_preference"
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("language preference")
        verbose_name_plural = _("language preferences")

    def __str__(self) -> str:
        return f"{self.user} → {self.language}"

    @classmethod
    def of(cls, user) -> str | None:
        """The language `user` chose, or None when they never chose one."""
        return cls.objects.filter(user=user).values_list("language", flat=True).first()

    @classmethod
    def remember(cls, user, language: str) -> None:
        cls.objects.update_or_create(user=user, defaults={"language": language})
