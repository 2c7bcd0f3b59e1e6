#!/usr/bin/env python3
"""Back up or restore the database named by DATABASE_URL (default: the project's SQLite file).

    scripts/backup.py backup FILE    # PostgreSQL: pg_dump -Fc; SQLite: online .backup
    scripts/backup.py restore FILE   # PostgreSQL: pg_restore; SQLite: .backup in reverse

Both run while the app is up. A PostgreSQL restore replaces every object the
dump holds (--clean --if-exists) in one transaction, so it either completes
or leaves the target as it was; sequences come back with their values.
"""

import argparse
import glob
import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import dj_database_url

ROOT = Path(__file__).resolve().parent.parent


def pg_tool(name):
    """The newest server version's tool: pg_dump refuses servers newer than itself."""
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                        key=lambda p: int(Path(p).parts[-3]))
    found = candidates[-1] if candidates else shutil.which(name)
    if not found:
        sys.exit(f"backup: {name} not found (apt-get install postgresql-client)")
    return found


def sqlite_copy(source, target):
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)  # page by page, consistent even while others write


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["backup", "restore"])
    parser.add_argument("file", type=Path)
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", f"sqlite:///{ROOT / 'db.sqlite3'}")
    config = dj_database_url.parse(url)
    if config["ENGINE"].endswith("sqlite3"):
        database = config["NAME"]
        if args.action == "backup":
            args.file.parent.mkdir(parents=True, exist_ok=True)
            sqlite_copy(database, args.file)
        else:
            if not args.file.is_file():
                sys.exit(f"backup: no such file {args.file}")
            sqlite_copy(args.file, database)
    elif args.action == "backup":
        args.file.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([pg_tool("pg_dump"), "-Fc", "--no-owner", "-d", url, "-f", args.file],
                       check=True)
    else:
        subprocess.run([pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner",
                        "--single-transaction", "--exit-on-error", "-d", url, args.file],
                       check=True)
    print(f"{args.action}: {args.file}")


if __name__ == "__main__":
    main()
