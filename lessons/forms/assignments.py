"""The form a teacher sets an assignment with: a lesson to read or a quiz to take, by a date."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from lessons.models import Assignment, Lesson
from quiz.models import Quiz


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class AssignmentForm(forms.ModelForm):
    class Meta:
        model = Assignment
        fields = ["title", "lesson", "quiz", "due_at"]
        widgets = {"due_at": DateTimeLocalInput()}
        help_texts = {
            "lesson": _("A lesson to read…"),
            "quiz": _("…or a quiz to take (one of the two)."),
        }

    def __init__(self, *args, teacher=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lesson"].queryset = Lesson.objects.published()
        self.fields["quiz"].queryset = (
            Quiz.objects.published() | Quiz.objects.built_by(teacher)
        ).distinct()
        self.fields["title"].required = False

    def clean(self) -> dict:
        data = super().clean()
        lesson, quiz = data.get("lesson"), data.get("quiz")
        if bool(lesson) == bool(quiz):
            raise ValidationError(_("Choose a lesson or a quiz (one of the two)."))
        if not data.get("title"):
            data["title"] = str(lesson or quiz)
            self.instance.title = data["title"]
        return data
