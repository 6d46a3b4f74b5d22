"""Fit the detector's weights on the published, labelled library, and calibrate them.

    manage.py fit_detector [--analyze-missing] [--dry-run]
    manage.py fit_detector --samples FILE [--ship] [--dry-run]

Every published clip the detector has analysed (with the current signals) is a sample: the
face score learns deepfakes against everything else, the editing score learns speed changes
and splices against everything but other shallowfakes (a false caption or a crop leaves no
trace in the frames). Folds are grouped by original, so a fake and its original never sit in
different folds; out-of-fold scores are calibrated with Platt scaling. The weights are saved as
a versioned JSON file (with their cross-validated metrics) in media storage, and every stored
analysis is re-scored with them by a task. --analyze-missing first analyses, in this process,
the published clips that have no current analysis. --dry-run fits and reports, saves nothing.

--samples fits on a samples file instead (what `make evaluate-detector` writes from the
development media); with --ship the weights, with their held-out figures, are written to
media_library/detector/shipped_weights.json, the file committed with the code that every fresh
installation scores with until a fit of its own library is saved.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from languages.commands import gettext as _
from languages.commands import gettext_lazy
from media_library import detector_weights
from media_library.detector.fitting import NotEnoughData
from media_library.detector.held_out import fit_and_hold_out
from media_library.detector.scoring import Weights
from media_library.management.commands.evaluate_detector import read_samples
from media_library.models import Clip
from media_library.tasks import rescore_analyses


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
        parser.add_argument(
            "--samples",
            type=Path,
            help=_("Fit on a samples file written by make evaluate-detector, not the library."),
        )
        parser.add_argument(
            "--ship",
            action="store_true",
            help=_("With --samples: write the weights shipped with the code."),
        )

    def handle(self, *args, **options) -> None:
        if options["ship"] and not options["samples"]:
            raise CommandError(_("--ship fits on --samples only: name a samples file."))
        if options["ship"] and not settings.DETECTOR_SHIPPED_WEIGHTS:
            raise CommandError(
                _("Shipped weights are switched off here (DETECTOR_SHIPPED_WEIGHTS is empty).")
            )
        if options["samples"]:
            samples = read_samples(options["samples"])
        else:
            samples = self.library_samples(options["analyze_missing"])
        weights = self.fit(samples)
        if options["dry_run"]:
            self.stdout.write(_("Dry run: nothing saved."))
            return
        if options["ship"]:
            # Where this installation reads them from: the committed file unless the setting
            # moves it.
            target = Path(settings.DETECTOR_SHIPPED_WEIGHTS)
            target.write_text(json.dumps(weights.to_json(), indent=1) + "\n")
            self.stdout.write(
                _("Wrote %(path)s: commit it, and every installation without a fit of its own "
                  "scores with it.")
                % {"path": target}
            )  # fmt: skip
            return
        name = detector_weights.save(weights)
        transaction.on_commit(rescore_analyses.enqueue)
        self.stdout.write(
            _("Saved %(name)s; every stored analysis will be re-scored with it.") % {"name": name}
        )

    def library_samples(self, analyze_missing: bool) -> list:
        clips = Clip.objects.published().ready().select_related("analysis")
        if analyze_missing:
            self.analyze_missing(clips)
            clips = clips.all()  # afresh: the analyses just made are not in the first read
        samples, missing = [], 0
        for clip in clips:
            analysis = getattr(clip, "analysis", None)
            if analysis is None or not analysis.is_current:
                missing += 1
                continue
            samples.append(analysis.as_sample())
        if missing:
            self.stdout.write(
                _(
                    "%(count)d published clip(s) have no current analysis and are left out "
                    "(--analyze-missing analyses them first)."
                )
                % {"count": missing}
            )
        return samples

    def fit(self, samples: list) -> Weights:
        try:
            weights, notes = fit_and_hold_out(samples)
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
            if not metrics:
                self.stdout.write(
                    _("  %(family)s: too few groups to cross-validate") % {"family": family}
                )
                continue
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
        for family, kinds in weights.out_of_sample.items():
            for kind, figure in kinds.items():
                self.stdout.write(
                    _(
                        "  held out (%(scheme)s), %(family)s score on %(kind)s: AUC %(auc).3f "
                        "[%(low).3f, %(high).3f] on %(fakes)d fakes and %(reals)d real "
                        "clips%(note)s"
                    )
                    % {
                        **figure,
                        "family": family,
                        "kind": kind,
                        "note": "" if figure["informative"] else _(
                            ": the interval includes chance, so the reveal shows no percentage"
                        ),
                    }
                )  # fmt: skip
        return weights

    def analyze_missing(self, clips) -> None:
        for clip in clips:
            analysis = getattr(clip, "analysis", None)
            if analysis is not None and analysis.is_current:
                continue
            analysis = clip.enqueue_analysis()
            if analysis.claim():
                self.stdout.write(_("Analysing %(title)s…") % {"title": clip.title})
                analysis.run()
