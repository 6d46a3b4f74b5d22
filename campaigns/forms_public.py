"""The one form the public fills in: the campaign's survey question, before and after."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign
from campaigns.models.participation import SURVEY_SCALE


class SurveyForm(forms.Form):
    """Optional: a visitor may skip it and still play. No field when the campaign asks
    nothing."""

    def __init__(self, campaign: Campaign, language: str, *args, after: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        text = campaign.text_for(language)
        self.asks = campaign.survey_enabled and bool(text and text.survey_question)
        if self.asks:
            self.fields["answer"] = forms.TypedChoiceField(
                label=text.survey_question,
                choices=SURVEY_SCALE,
                coerce=int,
                empty_value=None,
                required=after,
                error_messages={
                    "required": _("Choose one of the answers, then send it."),
                    "invalid_choice": _("That answer is not one of the choices. Pick one."),
                },
                widget=forms.RadioSelect,
                help_text=_("Optional.") if not after else "",
            )
            # Ids of their own: the page may show the question before and after.
            self.auto_id = "survey-after-%s" if after else "survey-before-%s"
