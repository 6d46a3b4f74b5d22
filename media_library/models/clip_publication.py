"""Publication and rights: draft -> in review -> published (and back to draft to withdraw),
and what a clip's record must say before any learner sees it."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from media_library.choices import ProcessingStatus, PublicationState
from media_library.signals import clip_withdrawn


class ClipPublication:
    """Mixed into Clip: the publication workflow and the rules it enforces."""

    @property
    def is_published(self) -> bool:
        return self.publication_state == PublicationState.PUBLISHED

    @property
    def is_public(self) -> bool:
        """Its library files may go to anyone: a published teaching example. A published clip
        kept for tests is served to learners only through their attempts."""
        return self.is_published and self.teaching_example

    def note_exposure(self) -> None:
        """Record the moment a published teaching example's truth went public (once)."""
        if self.exposed_at is None and self.is_public:
            self.exposed_at = timezone.now()
            type(self).objects.filter(pk=self.pk, exposed_at__isnull=True).update(
                exposed_at=self.exposed_at
            )

    @property
    def is_quizzable(self) -> bool:
        """Whether a quiz may show this clip: the row-by-row twin of
        `Clip.objects.quizzable()` (published, processed, with its blind rendition), for
        the clips an attempt has already loaded."""
        return (
            self.is_published
            and self.processing_status == ProcessingStatus.READY
            and bool(self.quiz_media)
        )

    @property
    def publication_blockers(self) -> list[str]:
        """Why this clip cannot be submitted or published yet; empty when it can.

        Rights and consent come before any learner sees a clip:
        - a licence is always recorded (what allows us to show it);
        - the curator says whether anyone is shown or heard (depicts_people). Nobody: no consent
          is needed (a landscape, a caption on a photo of a flood);
        - someone is: the curator says whether they are public figures. A private person anywhere
          in the clip needs consent_on_file, because a teaching app has no news value that would
          justify showing a private person (and deepfake rules, e.g. China's 2023 provisions, ask
          for the depicted person's consent);
        - public figures only: no consent is required, but the consent record (consent_notes)
          states the basis, e.g. "Public figure, newsworthy broadcast footage", unless consent is
          on file anyway.
        """
        if self.consent_withdrawn_at is not None:
            return [
                _("Consent was withdrawn and the media erased: this clip can never be shown again.")
            ]
        blockers = []
        if self.processing_status != ProcessingStatus.READY:
            blockers.append(_("Processing has not finished."))
        if not self.title.strip():
            blockers.append(_("The clip needs a title."))
        if not self.licence.strip():
            blockers.append(_("Record the licence that allows us to show the clip."))
        blockers.extend(self.consent_blockers)
        return blockers

    @property
    def consent_blockers(self) -> list[str]:
        if self.depicts_people is None:
            return [_("Say whether anyone is shown or heard in the clip.")]
        if not self.depicts_people or self.consent_on_file:
            return []
        if self.depicts_public_figure is None:
            return [_("Say whether the people in the clip are public figures.")]
        if not self.depicts_public_figure:
            return [
                _(
                    "A private person is shown or heard: record their consent and tick "
                    "“consent on file”."
                )
            ]
        if not self.consent_notes.strip():
            return [
                _(
                    "A public figure needs no consent, but the consent record must say why "
                    "showing them is justified (e.g. “Public figure, newsworthy broadcast "
                    "footage”)."
                )
            ]
        return []

    def submit_for_review(self, user) -> bool:
        if self.publication_state != PublicationState.DRAFT or self.publication_blockers:
            return False
        self.submitted_by = user
        return self._move_to(PublicationState.IN_REVIEW, user, "submitted_by")

    def needs_another_reviewer(self, user) -> bool:
        """Whether `user` is the one who submitted the clip, and so may not publish it.

        Review means a second pair of eyes on the verdict, the tells and the consent record;
        the curator who sent the clip to review cannot be that pair. A site with one curator
        waives the rule with TELLTALE_SINGLE_CURATOR_PUBLISHING (and the clip page says so).
        """
        if settings.TELLTALE_SINGLE_CURATOR_PUBLISHING:
            return False
        submitter = self.submitted_by_id
        return submitter is not None and submitter == getattr(user, "pk", None)

    def publish(self, user) -> bool:
        if self.needs_another_reviewer(user):
            return False
        return self._publish(user)

    def publish_by_command(self, user) -> bool:
        """Submit and publish in one step for an operator's command (the demo seeding, a
        dataset import with --publish): no curator clicked, so there is no one to review after."""
        if self.publication_state == PublicationState.DRAFT and not self.submit_for_review(user):
            return False
        return self._publish(user)

    def _publish(self, user) -> bool:
        if self.publication_state != PublicationState.IN_REVIEW or self.publication_blockers:
            return False
        self.published_at = timezone.now()
        moved = self._move_to(PublicationState.PUBLISHED, user, "published_at")
        self.note_exposure()
        return moved

    def withdraw(self, user) -> bool:
        if self.publication_state == PublicationState.DRAFT:
            return False
        self.published_at = None
        self._move_to(PublicationState.DRAFT, user, "published_at")
        # Withdrawal is also the consent-withdrawal path: whatever shows the clip must stop at
        # once, including attempts in progress (the quiz listens: media_library cannot call it).
        clip_withdrawn.send(sender=type(self), clip=self)
        return True

    def _move_to(self, state: PublicationState, user, *extra_fields: str) -> bool:
        self.publication_state = state
        self.updated_by = user
        self.save(update_fields=["publication_state", "updated_by", "updated_at", *extra_fields])
        return True
