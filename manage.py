#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ichub.settings")
    if sys.argv[1:2] != ["runserver"]:
        # The statement and lock timeouts are for requests (README "Settings"):
        # migrate, imports and the task worker run as long as their work needs.
        os.environ.setdefault("DB_STATEMENT_TIMEOUT", "0")
        os.environ.setdefault("DB_LOCK_TIMEOUT", "0")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
