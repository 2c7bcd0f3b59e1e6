"""Scenario 7: whole-review export and import (filled in once ichub.transfer lands)."""


def run(world):
    return {"status": "not measured: the export/import commands had not landed"}
