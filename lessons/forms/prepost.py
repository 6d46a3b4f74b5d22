"""The form a teacher sets a pre-test and post-test (and optional delayed retest) with."""

from __future__ import annotations

from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from lessons.forms.assignments import DateTimeLocalInput
from lessons.models import Classroom, PrePost
from lessons.models.prepost import Schedule


class PrePostForm(forms.ModelForm):
    pre_due = forms.DateTimeField(label=_("Pre-test due"), widget=DateTimeLocalInput())
    post_opens = forms.DateTimeField(label=_("Post-test opens"), widget=DateTimeLocalInput())
    post_due = forms.DateTimeField(label=_("Post-test due"), widget=DateTimeLocalInput())

    class Meta:
        model = PrePost
        fields = ["title", "items_per_test", "item_kind", "tell_category", "retest_after_days"]
        help_texts = {
            "retest_after_days": _(
                "Leave empty for none. A retest uses a third pool, open for a week."
            ),
        }

    def clean(self) -> dict:
        data = super().clean()
        pre, opens, due = data.get("pre_due"), data.get("post_opens"), data.get("post_due")
        if pre and opens and opens < pre:
            self.add_error("post_opens", _("The post-test opens after the pre-test is due."))
        if opens and due and due <= opens:
            self.add_error("post_due", _("The post-test is due after it opens."))
        asked = data.get("items_per_test")
        if asked and "item_kind" in data:
            # Checked before anything is made, so a teacher never gets smaller tests than asked.
            prepost = self.pool_settings()
            prepost.items_per_test = asked
            problem = prepost.shortfall(
                prepost.capacity(retest=bool(data.get("retest_after_days")))
            )
            if problem:
                self.add_error("items_per_test", problem)
        return data

    def pool_settings(self) -> PrePost:
        """An unsaved PrePost with the kind and tell chosen so far (the defaults before any)."""
        data = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        return PrePost(
            item_kind=data.get("item_kind") or PrePost._meta.get_field("item_kind").default,
            tell_category=data.get("tell_category") or "",
        )

    def save(self, classroom: Classroom, teacher) -> PrePost:
        prepost = super().save(commit=False)
        prepost.classroom, prepost.created_by = classroom, teacher
        schedule = Schedule(
            pre_due=self.cleaned_data["pre_due"],
            post_opens=self.cleaned_data["post_opens"],
            post_due=self.cleaned_data["post_due"],
            retest_after_days=self.cleaned_data["retest_after_days"],
        )
        with transaction.atomic():
            prepost.save()
            prepost.build(schedule)
        return prepost
