"""`manage.py simulate_screening FILE.csv`: what prioritisation would save on labelled data."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from evidence.screening.prioritisation.engine import EXPLORATION_MODES, Settings
from evidence.screening.prioritisation.simulation import read_labelled_csv, simulate


class Command(BaseCommand):
    help = (
        "Replay a fully labelled CSV (title, abstract, label_included; the ASReview/SYNERGY "
        "layout) through the screening queue's model and query strategy, and report "
        "WSS@95, RRF@10 and the average time to discovery."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--prior-included", type=int, default=1,
                            help="Relevant records known before screening (default 1).")
        parser.add_argument("--prior-excluded", type=int, default=1,
                            help="Irrelevant records known before screening (default 1).")
        parser.add_argument("--seed", type=int, default=0,
                            help="Draws the priors and seeds the model (default 0).")
        parser.add_argument("--exploration", type=float, default=Settings.exploration,
                            help="Share of queue slots given to exploration, 0-0.5 (default 0).")
        parser.add_argument("--exploration-mode", choices=EXPLORATION_MODES,
                            default=Settings.exploration_mode)
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args, file, prior_included, prior_excluded, seed, exploration,
               exploration_mode, **options):
        if prior_included < 0 or prior_excluded < 0:
            raise CommandError("--prior-included and --prior-excluded cannot be negative.")
        if not 0 <= exploration <= 0.5:
            raise CommandError("--exploration must be between 0 and 0.5.")
        try:
            with file.open(newline="", encoding="utf-8-sig") as handle:
                dataset = read_labelled_csv(handle)
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror or error}.") from error
        except (ValueError, UnicodeDecodeError) as error:
            raise CommandError(f"{file}: {error}") from error
        try:
            report = simulate(
                dataset, prior_included=prior_included, prior_excluded=prior_excluded,
                seed=seed, settings=Settings(exploration=exploration,
                                             exploration_mode=exploration_mode),
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        trainings = report.pop("trainings")
        if options["json"]:
            self.stdout.write(json.dumps(report))
            return
        self.stdout.write(
            f"{report['records']} records, {report['relevant']} relevant; "
            f"priors {prior_included} included + {prior_excluded} excluded, seed {seed}\n"
            f"WSS@95  {_show(report['wss@95'])}\n"
            f"RRF@10  {_show(report['rrf@10'])}\n"
            f"ATD     {_show(report['atd'])} records\n"
            f"time    {report['seconds']} s ({trainings} trainings of the model)"
        )


def _show(value):
    return "n/a (nothing left to find)" if value is None else value
