"""The quiz builder's forms: a quiz, an item, the item bank's filter, moving an item."""

from __future__ import annotations

import copy

from django import forms
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname

from media_library.models import Clip
from quiz.item_stats import ItemRow
from quiz.models import Item, ItemKind, Quiz, QuizItem, Selection, SpotTarget

# Everything that decides which items an attempt gets: a change to any of them can leave a
# published quiz with nothing to draw.
DRAW_FIELDS = (
    "mode",
    "selection",
    "pool_kind",
    "pool_verdict",
    "pool_technique",
    "pool_tell_category",
    "pool_difficulty",
)
POOL_FILTERS = DRAW_FIELDS[2:]
ENGLISH = settings.LANGUAGE_CODE


def in_every_language(*fields: str) -> list[str]:
    """The form fields of texts written per language: title_en, title_es, title_zh_hans…"""
    return [
        build_localized_fieldname(field, code)
        for field in fields
        for code, _n in settings.LANGUAGES
    ]


class TranslatedFields:
    """Mixed into a ModelForm whose Meta.fields hold `in_every_language(*translated)`: each
    field is labelled with its language and marked with it (`lang`, so spelling checkers and
    screen readers use the right one); the other languages are optional, and one left empty is
    stored as not translated (NULL), so learners see the English with a note."""

    translated: tuple[str, ...] = ()
    required_in_english: tuple[str, ...] = ()

    def label_languages(self) -> None:
        for name in self.translated:
            verbose = capfirst(self._meta.model._meta.get_field(name).verbose_name)
            for code, _n in settings.LANGUAGES:
                field = self.fields[build_localized_fieldname(name, code)]
                language = get_language_info(code)["name_translated"]
                field.label = _("%(field)s (%(language)s)") % {
                    "field": verbose,
                    "language": language,
                }
                field.widget.attrs["lang"] = code
                field.required = code == ENGLISH and name in self.required_in_english
                if code != ENGLISH:
                    field.help_text = _(
                        "Optional: left empty, learners reading %(language)s see the English."
                    ) % {"language": language}

    def language_groups(self) -> list[dict]:
        """The translations, one group per language other than English, for the template."""
        return [
            {
                "code": code,
                "name": name,
                "fields": [self[build_localized_fieldname(f, code)] for f in self.translated],
            }
            for code, name in settings.LANGUAGES
            if code != ENGLISH
        ]

    def has_translations(self) -> bool:
        """Whether any translation is filled in (a folded group opens to show it)."""
        return any(bound.value() for group in self.language_groups() for bound in group["fields"])

    def english_fields(self) -> list[forms.BoundField]:
        return [self[build_localized_fieldname(f, ENGLISH)] for f in self.translated]

    def clean_translations(self, data: dict) -> dict:
        for name in self.translated:
            for code, _n in settings.LANGUAGES:
                field = build_localized_fieldname(name, code)
                value = data.get(field)
                if code != ENGLISH and not (value or "").strip():
                    data[field] = None
                elif code == ENGLISH and value is None:
                    # English is never NULL (languages/signals.py): "" is "none written".
                    data[field] = ""
        return data


class QuizForm(TranslatedFields, forms.ModelForm):
    """A quiz's settings. Quiz.clean's rules show on their fields; a quiz with nothing a learner
    could be given cannot be opened to learners. Title and description are written in English
    and, optionally, in the site's other languages."""

    translated = ("title", "description")
    required_in_english = ("title",)

    class Meta:
        model = Quiz
        fields = [
            *in_every_language("title", "description"),
            "mode",
            "selection",
            "order",
            "pool_size",
            *POOL_FILTERS,
            "feed_fake_percent",
            "is_published",
        ]
        widgets = {
            **{
                name: forms.Textarea(attrs={"rows": 3}) for name in in_every_language("description")
            },
            "mode": forms.RadioSelect,
            "selection": forms.RadioSelect,
        }
        help_texts = {
            build_localized_fieldname("description", ENGLISH): _(
                "What learners read before they start."
            ),
            "pool_size": _("How many items each attempt draws from the pool (pool quizzes)."),
            "feed_fake_percent": _(
                "Feed mode: the share of manipulated clips in the stream. Real feeds are "
                "mostly genuine."
            ),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.label_languages()
        # The model's validators as browser hints (a positive field only says min 0).
        for name in ("pool_size", "feed_fake_percent"):
            self.fields[name].widget.attrs.update(min=1, max=50)
        for name in POOL_FILTERS:
            field = self.fields[name]
            # "Any" says what an empty filter does; Django's "---------" does not.
            field.choices = [("", _("Any")), *[c for c in field.choices if c[0] != ""]]

    def clean(self) -> dict:
        data = self.clean_translations(super().clean())
        changed = set(self.changed_data)
        opening = data.get("is_published") and changed & {"is_published", *DRAW_FIELDS}
        if opening and all(name in data for name in DRAW_FIELDS) and not self._draws_any(data):
            if data["selection"] == Selection.POOL:
                message = _(
                    "No ready item matches the pool's filters yet: widen them before opening "
                    "the quiz to learners."
                )
            else:
                message = _(
                    "Add at least one ready item (its clips published, with their quiz "
                    "version) before opening the quiz to learners."
                )
            self.add_error("is_published", message)
        return data

    def _draws_any(self, data: dict) -> bool:
        # The quiz as it would be saved, without touching the instance the page still shows.
        candidate = copy.copy(self.instance)
        for name in DRAW_FIELDS:
            setattr(candidate, name, data[name])
        if candidate.selection == Selection.POOL:
            return candidate.pool().exists()
        return candidate.pk is not None and bool(candidate.draw())


class ClipChoiceField(forms.ModelChoiceField):
    not_ready: frozenset[int] = frozenset()

    def label_from_instance(self, clip: Clip) -> str:
        # Builders know the truth; a pair needs one manipulated clip, so they need it too.
        label = f"{clip.title} · {clip.get_verdict_display()}"
        if clip.pk in self.not_ready:
            label += " · " + str(_("no quiz version yet"))
        return label


class ItemForm(TranslatedFields, forms.ModelForm):
    """A new item on a published clip. The second-clip list puts the chosen clip's original and
    the fakes made from it first, and suggests one for a pair. Its question may be written in
    each language; none is required (the item type's standard question is translated)."""

    translated = ("prompt",)

    class Meta:
        model = Item
        fields = [
            "kind",
            "clip",
            "other_clip",
            "spot_target",
            "difficulty",
            *in_every_language("prompt"),
        ]
        field_classes = {"clip": ClipChoiceField, "other_clip": ClipChoiceField}
        help_texts = {
            "clip": _("Published clips only."),
            "other_clip": _(
                "Pair items only. Exactly one of the two clips must be manipulated; the clip's "
                "original or a fake made from it makes the fairest pair."
            ),
            "spot_target": _(
                "Spot-the-tell items only. Where needs a tell with a box; when needs a video."
            ),
        }

    def __init__(self, *args, refresh_url: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.label_languages()
        for code, _n in settings.LANGUAGES:
            if code != ENGLISH:
                self.fields[build_localized_fieldname("prompt", code)].help_text = _(
                    "Optional: left empty, learners reading %(language)s see the English "
                    "question, or the standard one when there is none."
                ) % {"language": get_language_info(code)["name_translated"]}
        clips = Clip.objects.published().order_by("title", "pk")
        # Published but not processed for quizzes yet: allowed (the item waits), and said.
        not_ready = frozenset(
            clips.exclude(pk__in=Clip.objects.quizzable()).values_list("pk", flat=True)
        )
        for name in ("clip", "other_clip"):
            self.fields[name].queryset = clips
            self.fields[name].not_ready = not_ready
        self.fields["kind"].choices = ItemKind.choices
        self.fields["other_clip"].empty_label = _("None")
        # Asked of spot-the-tell items only; the model's default when left out (see clean).
        self.fields["spot_target"].required = False
        self.offer_related_clips()
        if refresh_url:
            # With htmx, choosing a clip or a type fetches the form again (unbound, so no
            # errors yet) with the second clip suggested. The token stays out of the URL.
            refresh = {
                "hx-get": refresh_url,
                "hx-trigger": "change",
                "hx-target": "closest form",
                "hx-swap": "outerHTML",
                "hx-include": "closest form",
                "hx-params": "not csrfmiddlewaretoken",
            }
            for name in ("kind", "clip"):
                self.fields[name].widget.attrs.update(refresh)

    def chosen_clip(self) -> Clip | None:
        value = self["clip"].value()
        if isinstance(value, Clip):
            return value
        try:
            return self.fields["clip"].queryset.get(pk=int(value))
        except (TypeError, ValueError, Clip.DoesNotExist):
            return None

    def offer_related_clips(self) -> None:
        clip = self.chosen_clip()
        if clip is None:
            return
        clips = self.fields["other_clip"].queryset
        related = list(clips.filter(Q(pk=clip.original_id) | Q(original=clip)).exclude(pk=clip.pk))
        if not related:
            return
        others = clips.exclude(pk__in=[c.pk for c in related])
        field = self.fields["other_clip"]
        label = field.label_from_instance
        field.choices = [
            ("", field.empty_label),
            (_("Made from the same footage"), [(c.pk, label(c)) for c in related]),
            (_("Other published clips"), [(c.pk, label(c)) for c in others]),
        ]
        if not self.is_bound and self["kind"].value() == ItemKind.PAIR:
            self.initial["other_clip"] = self.initial.get("other_clip") or related[0].pk

    def clean(self) -> dict:
        data = self.clean_translations(super().clean())
        # A second clip or a spot target left over from another item type is not an error:
        # the builder changed their mind about the type.
        if data.get("kind") != ItemKind.PAIR:
            data["other_clip"] = None
        if data.get("kind") != ItemKind.SPOT_TELL or not data.get("spot_target"):
            data["spot_target"] = SpotTarget.REGION
        return data

    def create_or_reuse(self, user) -> tuple[Item, bool]:
        """The item these answers describe: an identical one already in the bank is reused,
        so its statistics keep growing instead of starting again at zero."""
        data = self.cleaned_data
        clips = Q(clip=data["clip"], other_clip=data["other_clip"])
        if data["other_clip"] is not None:
            clips |= Q(clip=data["other_clip"], other_clip=data["clip"])
        # The same question in every language; a translation not written is NULL (or, in rows
        # older than the languages, "").
        for field in in_every_language("prompt"):
            if data[field]:
                clips &= Q(**{field: data[field]})
            else:
                clips &= Q(**{f"{field}__isnull": True}) | Q(**{field: ""})
        same = Item.objects.filter(
            clips,
            kind=data["kind"],
            spot_target=data["spot_target"],
            difficulty=data["difficulty"],
        ).first()
        if same is not None:
            return same, False
        item = self.save(commit=False)
        item.created_by = user
        item.save()
        return item, True


class MoveItemForm(forms.Form):
    """Move one of a fixed quiz's items a place up or down."""

    entry = forms.ModelChoiceField(queryset=QuizItem.objects.none(), widget=forms.HiddenInput)
    direction = forms.ChoiceField(choices=[("up", _("Up")), ("down", _("Down"))])

    def __init__(self, quiz: Quiz, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.quiz = quiz
        self.fields["entry"].queryset = quiz.entries.all()

    def save(self) -> bool:
        """Swap the item with its neighbour; False when it is already first (or last)."""
        with transaction.atomic():
            entries = list(self.quiz.entries.select_for_update().order_by("position", "pk"))
            index = next(i for i, e in enumerate(entries) if e.pk == self.cleaned_data["entry"].pk)
            other = index - 1 if self.cleaned_data["direction"] == "up" else index + 1
            if not 0 <= other < len(entries):
                return False
            entries[index], entries[other] = entries[other], entries[index]
            # Renumbered from 1 so that positions left equal by older edits become distinct.
            for position, entry in enumerate(entries, start=1):
                entry.position = position
            QuizItem.objects.bulk_update(entries, ["position"])
        return True


class ItemFilterForm(forms.Form):
    """The item bank's filter."""

    kind = forms.ChoiceField(
        label=_("Type"), choices=[("", _("Any type")), *ItemKind.choices], required=False
    )
    flagged = forms.BooleanField(label=_("Only items that behave badly"), required=False)

    def filter(self, rows: list[ItemRow]) -> list[ItemRow]:
        if not self.is_valid():
            return rows
        if kind := self.cleaned_data["kind"]:
            rows = [row for row in rows if row.item.kind == kind]
        if self.cleaned_data["flagged"]:
            rows = [row for row in rows if row.flags]
        return rows

    @property
    def is_filtering(self) -> bool:
        return self.is_valid() and any(self.cleaned_data.values())
