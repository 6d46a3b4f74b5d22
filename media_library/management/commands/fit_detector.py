"""Fit the detector's weights on the published, labelled library, and calibrate them.

    manage.py fit_detector [--analyze-missing] [--dry-run]

Every published clip the detector has analysed (with the current signals) is a sample: the
face score learns deepfakes against everything else, the editing score learns speed changes
and splices against everything but other shallowfakes (a false caption or a crop leaves no
trace in the frames). Folds are grouped by original, so a fake and its original never sit in
different folds; out-of-fold scores are calibrated with Platt scaling. The weights are saved as
a versioned JSON file (with their cross-validated metrics) in media storage, and every stored
analysis is re-scored with them by a task. --analyze-missing first analyses, in this process,
the published clips that have no current analysis. --dry-run fits and reports, saves nothing.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from languages.commands import gettext as _
from languages.commands import gettext_lazy
from media_library import detector_weights
from media_library.detector.fitting import NotEnoughData, Sample, fit_weights
from media_library.detector.measurements import Measurement
from media_library.models import Clip, ClipAnalysis, Technique, Verdict
from media_library.tasks import rescore_analyses

# Shallowfakes whose edit shows in the frames; the others are left out of the editing fit.
EDITING_TECHNIQUES = {Technique.SPEED_CHANGE, Technique.SPLICE}


def sample_for(clip: Clip, analysis: ClipAnalysis) -> Sample:
    if clip.verdict == Verdict.SHALLOWFAKE:
        editing = 1 if clip.technique in EDITING_TECHNIQUES else None
    else:
        editing = 0
    return Sample(
        measurements=[Measurement.from_json(m) for m in analysis.measurements],
        face_seconds=analysis.face_seconds,
        labels={"face": int(clip.verdict == Verdict.DEEPFAKE), "editing": editing},
        group=clip.original_id or clip.pk,
        technique=clip.technique,
    )


class Command(BaseCommand):
    help = gettext_lazy(
        "Fit and calibrate the detector's weights on the published, labelled library."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--analyze-missing",
            action="store_true",
            help=_("Analyse published clips without a current analysis first (slow)."),
        )
        parser.add_argument(
            "--dry-run", action="store_true", help=_("Fit and report; save nothing.")
        )

    def handle(self, *args, **options) -> None:
        clips = Clip.objects.published().ready().select_related("analysis")
        if options["analyze_missing"]:
            self.analyze_missing(clips)
            clips = clips.all()  # afresh: the analyses just made are not in the first read
        samples, missing = [], 0
        for clip in clips:
            analysis = getattr(clip, "analysis", None)
            if analysis is None or not analysis.is_current:
                missing += 1
                continue
            samples.append(sample_for(clip, analysis))
        if missing:
            self.stdout.write(
                _(
                    "%(count)d published clip(s) have no current analysis and are left out "
                    "(--analyze-missing analyses them first)."
                )
                % {"count": missing}
            )
        try:
            weights, notes = fit_weights(samples)
        except NotEnoughData as error:
            raise CommandError(
                _("Not enough labelled clips to fit: %(error)s.") % {"error": error}
            ) from error
        for note in notes:
            self.stdout.write(_("Note: %(note)s.") % {"note": note})
        self.stdout.write(
            _("Fitted weights %(version)s on %(count)d clips.")
            % {"version": weights.version, "count": len(samples)}
        )
        for family, metrics in weights.metrics.items():
            auc = _("n/a") if metrics["auc"] is None else f"{metrics['auc']:.3f}"
            self.stdout.write(
                _(
                    "  %(family)s: %(manipulated)s manipulated / %(others)s others in "
                    "%(groups)s groups, %(folds)s folds; cross-validated AUC %(auc)s, accuracy "
                    "%(accuracy)s, Brier %(brier)s, log loss %(log_loss)s, ECE %(ece)s"
                )
                % {
                    "family": family,
                    "manipulated": metrics["manipulated"],
                    "others": metrics["others"],
                    "groups": metrics["groups"],
                    "folds": metrics["folds"],
                    "auc": auc,
                    "accuracy": f"{metrics['accuracy']:.1%}",
                    "brier": f"{metrics['brier']:.3f}",
                    "log_loss": f"{metrics['log_loss']:.3f}",
                    "ece": f"{metrics['ece']:.3f}",
                }
            )
        if options["dry_run"]:
            self.stdout.write(_("Dry run: nothing saved."))
            return
        name = detector_weights.save(weights)
        transaction.on_commit(rescore_analyses.enqueue)
        self.stdout.write(
            _("Saved %(name)s; every stored analysis will be re-scored with it.") % {"name": name}
        )

    def analyze_missing(self, clips) -> None:
        for clip in clips:
            analysis = getattr(clip, "analysis", None)
            if analysis is not None and analysis.is_current:
                continue
            analysis = clip.enqueue_analysis()
            if analysis.claim():
                self.stdout.write(_("Analysing %(title)s…") % {"title": clip.title})
                analysis.run()
