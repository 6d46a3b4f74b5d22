"""Forms of the classroom pages: a new class, a co-teacher, and a student joining with a class
code and a pseudonym."""

from __future__ import annotations

import random
import re

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from lessons.models import Classroom

# Looks like an address or a phone number: both identify a child, and neither is needed.
CONTACT_LIKE = re.compile(r"@|\.(com|net|org|edu|de|fr|uk)\b|\d{6,}", re.IGNORECASE)
SUGGESTIONS = 3


class ClassroomForm(forms.ModelForm):
    class Meta:
        model = Classroom
        fields = ["name"]
        help_texts = {"name": _("Students see it when they join, e.g. “8B media studies”.")}


class CoTeacherForm(forms.Form):
    username = forms.CharField(label=_("Teacher's username"), max_length=150)

    def __init__(self, classroom: Classroom, *args, **kwargs) -> None:
        self.classroom = classroom
        super().__init__(*args, **kwargs)

    teacher = None

    def clean_username(self) -> str:
        """Finds the teacher; the view adds them (Classroom.add_co_teacher)."""
        username = self.cleaned_data["username"].strip()
        try:
            self.teacher = self.classroom.co_teacher_candidate(username)
        except ValidationError as error:
            raise ValidationError(error.messages) from None
        return username


class JoinCodeForm(forms.Form):
    code = forms.CharField(label=_("Class code"), max_length=12)

    def clean_code(self) -> str:
        return re.sub(r"[\s-]", "", self.cleaned_data["code"]).upper()


def pseudonym_suggestions(pseudonym: str, rng: random.Random | None = None) -> list[str]:
    rng = rng or random.SystemRandom()
    users = get_user_model().objects
    base = pseudonym[:24]
    found: list[str] = []
    for _try in range(20):
        candidate = f"{base}{rng.randint(10, 999)}"
        if candidate not in found and not users.filter(username__iexact=candidate).exists():
            found.append(candidate)
        if len(found) == SUGGESTIONS:
            break
    return found


class PseudonymForm(forms.Form):
    """A new student account: a made-up name and a password. No email, no real name, no date
    of birth: nothing a class needs, and less to lose."""

    pseudonym = forms.CharField(
        label=_("Pick a nickname"),
        min_length=3,
        max_length=30,
        help_text=_(
            "Not your real name: your teacher will know it is you. Letters, digits and . _ - only."
        ),
        validators=[UnicodeUsernameValidator()],
    )
    password1 = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(render_value=False)
    )
    password2 = forms.CharField(
        label=_("The same password again"),
        strip=False,
        widget=forms.PasswordInput(render_value=False),
    )

    suggestions: list[str] = []

    def clean_pseudonym(self) -> str:
        pseudonym = self.cleaned_data["pseudonym"].strip()
        if CONTACT_LIKE.search(pseudonym) or "+" in pseudonym:
            raise ValidationError(
                _("That looks like an email address or a phone number. Make up a nickname.")
            )
        if get_user_model().objects.filter(username__iexact=pseudonym).exists():
            self.suggestions = pseudonym_suggestions(pseudonym)
            raise ValidationError(_("Someone already has that nickname."))
        return pseudonym

    def clean(self) -> dict:
        data = super().clean()
        one, two = data.get("password1"), data.get("password2")
        if one and two and one != two:
            self.add_error("password2", _("The two passwords are not the same."))
        elif one and data.get("pseudonym"):
            user = get_user_model()(username=data["pseudonym"])
            try:
                password_validation.validate_password(one, user)
            except ValidationError as error:
                self.add_error("password1", error)
        return data

    def save(self):
        User = get_user_model()
        try:
            with transaction.atomic():
                return User.objects.create_user(
                    self.cleaned_data["pseudonym"], password=self.cleaned_data["password1"]
                )
        except IntegrityError:
            # Taken between the check and the insert.
            self.suggestions = pseudonym_suggestions(self.cleaned_data["pseudonym"])
            self.add_error("pseudonym", _("Someone already has that nickname."))
            return None
