"""`manage.py generate_synthetic_review --scale N --seed S`: benchmark-sized data."""

import time

from django.core.management.base import BaseCommand, CommandError

from bench.synthetic import default_slug, generate_synthetic_review
from ichub.models import Review


class Command(BaseCommand):
    help = (
        "Create a deterministic synthetic review. Scale 1 is about 200 CMOCs over 8 theories, "
        "2,000 sources, 10,000 excerpts, 20,000 evidence links and lineage chains up to depth 10."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="1 = the base size (0.01+)")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--slug", help="default: synthetic-scale-N-seed-S")

    def handle(self, *args, scale, seed, slug, **options):
        if scale < 0.01:
            raise CommandError("--scale must be at least 0.01")
        slug = slug or default_slug(scale, seed)
        if Review.objects.filter(slug=slug).exists():
            raise CommandError(f"A review with slug {slug!r} exists; pass another --slug.")
        started = time.perf_counter()
        review, counts = generate_synthetic_review(scale=scale, seed=seed, slug=slug)
        elapsed = time.perf_counter() - started
        for label, count in counts.items():
            self.stdout.write(f"  {label:<40} {count:>9,}")
        self.stdout.write(self.style.SUCCESS(f"{review.slug}: generated in {elapsed:.1f} s"))
