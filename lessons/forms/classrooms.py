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
# Tries at a free tag: four digits first (easy to remember), then six if a nickname is popular.
TAG_TRIES = ((4, 20), (6, 20))


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


def tagged(pseudonym: str, rng: random.Random, digits: int) -> str:
    return f"{pseudonym}-{rng.randrange(10 ** (digits - 1), 10**digits)}"


class PseudonymForm(forms.Form):
    """A new student account: a made-up name and a password. No email, no real name, no date
    of birth: nothing a class needs, and less to lose.

    The account's username is the nickname the student picks plus a random tag
    (`blue_fox-4821`), whatever the nickname, and the page says which one they got. Why not
    the bare nickname, with "taken, try one of these" when someone has it: the join page is
    public, and that answer tells anyone whether an account exists (every teacher's and
    curator's login name included), which a log-in throttle per account then only slows
    down. Suggestions do not fix it: showing them only for a taken name is the same answer,
    and showing them always still lets the bare name through when it is free. With a tag,
    a taken nickname and a free one get the same page, status and message; the one thing
    that depends on the database is which random tag is free, which names no account a
    visitor chose (finding out whether `blue_fox-4821` exists takes thousands of sign-ups,
    each one an account). The student still chooses their nickname, and always gets it.
    """

    pseudonym = forms.CharField(
        label=_("Pick a nickname"),
        min_length=3,
        max_length=30,
        help_text=_(
            "Not your real name: your teacher will know it is you. Letters, digits and . _ - "
            "only. We add a few digits to make it yours alone (blue_fox-4821, say); you will see "
            "it once you have joined."
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

    def clean_pseudonym(self) -> str:
        pseudonym = self.cleaned_data["pseudonym"].strip()
        if CONTACT_LIKE.search(pseudonym) or "+" in pseudonym:
            raise ValidationError(
                _("That looks like an email address or a phone number. Make up a nickname.")
            )
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

    def save(self, rng: random.Random | None = None):
        """The new account, under the nickname with the first free random tag."""
        rng = rng or random.SystemRandom()
        users = get_user_model().objects
        for digits, tries in TAG_TRIES:
            for _try in range(tries):
                username = tagged(self.cleaned_data["pseudonym"], rng, digits)
                # iexact: no two students told apart by case alone.
                if users.filter(username__iexact=username).exists():
                    continue
                try:
                    with transaction.atomic():
                        return users.create_user(username, password=self.cleaned_data["password1"])
                except IntegrityError:
                    continue  # taken between the check and the insert
        # Forty taken tags in a row: not a fact about any one account; ask for another name.
        self.add_error("pseudonym", _("Many people use that nickname. Pick another one."))
        return None
