"""Where a large reference import's time goes, batch by batch (issue 15, scenario 10 follow-up).

`python bench/import_batches.py --records 100000 [--cache-size -65536]` against
$DATABASE_URL: one RIS export (bench/jobs.py ris_export) imported into a fresh
review in one transaction, in this process (no worker, no polling), timing
each batch's insert (rows + history) apart from the rest (reading, matching).
`--cache-size` sets SQLite's PRAGMA cache_size for the import's connection.
A script, not a test: nothing here asserts a time.
"""

import argparse
import os
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
for name, value in {"DJANGO_SETTINGS_MODULE": "ichub.settings", "DJANGO_DEBUG": "0",
                    "DJANGO_SECRET_KEY": "benchmark-only-not-secret",
                    "DJANGO_ALLOWED_HOSTS": "localhost"}.items():
    os.environ.setdefault(name, value)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from bench.jobs import ris_export  # noqa: E402
from evidence.importers import services  # noqa: E402
from ichub.models import Review  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--cache-size", help="SQLite PRAGMA cache_size (e.g. -65536: 64 MB)")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    run = uuid.uuid4().hex[:8]
    data = ris_export(args.records, seed=run)
    insert, spans = services._insert_with_history, []

    def timed(*parts, **options):
        started = time.perf_counter()
        insert(*parts, **options)
        spans.append(time.perf_counter() - started)

    services._insert_with_history = timed
    review = Review.objects.create(slug=f"import-batches-{run}", title="Import batches")
    if args.cache_size and connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size={int(args.cache_size)}")
    started = time.perf_counter()
    with transaction.atomic():
        services.import_sources(review=review, data=data, filename="export.ris")
    total = time.perf_counter() - started
    first, last = (sum(spans[:10]) / 10, sum(spans[-10:]) / 10) if len(spans) >= 10 else (0, 0)
    print(f"{connection.vendor} cache_size={args.cache_size or 'default'} records={args.records}: "
          f"total {total:.1f} s, inserts {sum(spans):.1f} s, rest {total - sum(spans):.1f} s; "
          f"insert per batch, first 10 {first * 1000:.0f} ms, last 10 {last * 1000:.0f} ms")


if __name__ == "__main__":
    main()
