"""A time budget for requests that parse user files, checked as the work proceeds.

Gunicorn's gthread workers keep heartbeating while a request computes, so its
timeout never stops a file built to be slow to read. Code that reads a file
calls `spend()` once per record or row; inside `time_budget(seconds)` that
raises `BudgetExceeded` once the time is up. Outside one (management commands,
the operator's own files) `spend()` does nothing.
"""

import time
from contextlib import contextmanager
from contextvars import ContextVar

_deadline = ContextVar("ichub_budget_deadline", default=None)


class BudgetExceeded(Exception):
    """The work took longer than its budget; `seconds` is the budget."""

    def __init__(self, seconds):
        super().__init__(f"over the {seconds:g}-second budget")
        self.seconds = seconds


@contextmanager
def time_budget(seconds):
    """Let the work inside run for at most `seconds` (checked at each `spend()`)."""
    token = _deadline.set((time.monotonic() + seconds, seconds))
    try:
        yield
    finally:
        _deadline.reset(token)


def spend():
    """Raise BudgetExceeded if the current budget, if any, is used up."""
    current = _deadline.get()
    if current is not None and time.monotonic() >= current[0]:
        raise BudgetExceeded(current[1])
