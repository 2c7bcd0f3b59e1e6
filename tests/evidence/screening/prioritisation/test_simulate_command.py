"""`manage.py simulate_screening`: the report, --json, and clear errors for bad input."""

import json

import pytest
from django.core.management import CommandError, call_command

from .labelled import csv_text, rows


@pytest.fixture
def labelled_csv(tmp_path):
    path = tmp_path / "labelled.csv"
    path.write_text(csv_text(rows(60)), encoding="utf-8")
    return path


def _run(*args):
    from io import StringIO

    out = StringIO()
    call_command("simulate_screening", *[str(a) for a in args], stdout=out)
    return out.getvalue()


def test_it_prints_one_json_object_with_the_documented_keys(labelled_csv):
    report = json.loads(_run(labelled_csv, "--seed", "2", "--json"))
    assert set(report) == {"records", "relevant", "wss@95", "rrf@10", "atd", "seconds"}
    assert report["records"] == 60 and report["relevant"] == 10
    assert 0 < report["wss@95"] <= 0.95


def test_it_reproduces_a_run_with_a_fixed_seed(labelled_csv):
    args = (labelled_csv, "--seed", "5", "--prior-included", "2", "--prior-excluded", "3",
            "--exploration", "0.1", "--json")
    first, again = json.loads(_run(*args)), json.loads(_run(*args))
    first.pop("seconds"), again.pop("seconds")
    assert first == again


def test_it_prints_a_readable_report(labelled_csv):
    out = _run(labelled_csv)
    assert "60 records, 10 relevant" in out and "WSS@95" in out and "RRF@10" in out


def test_it_ignores_other_columns_and_uses_keywords(tmp_path):
    records = [dict(r, keywords="realist", journal="J") for r in rows(30)]
    path = tmp_path / "extra.csv"
    path.write_text(csv_text(records, ("journal", "title", "abstract", "keywords",
                                       "label_included")), encoding="utf-8")
    assert json.loads(_run(path, "--json"))["records"] == 30


@pytest.mark.parametrize(
    "content, message",
    [
        ("title,abstract\nA,B\n", "label_included"),
        ("title,abstract,label_included\nA,B,yes\n", "Line 2"),
        ("title,abstract,label_included\n", "no records"),
    ],
)
def test_it_names_the_problem_in_a_bad_file(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        _run(path)


def test_it_refuses_a_missing_file_and_too_many_priors(tmp_path, labelled_csv):
    with pytest.raises(CommandError, match="Cannot read"):
        _run(tmp_path / "nope.csv")
    with pytest.raises(CommandError, match="only 10"):
        _run(labelled_csv, "--prior-included", "11")
