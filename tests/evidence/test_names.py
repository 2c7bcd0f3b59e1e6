"""Author lists as one text and back: one rule for where names meet (evidence.names)."""

from evidence.models.sources import short_citation
from evidence.names import join_names, split_names


def test_it_splits_names_joined_by_an_ampersand():
    assert split_names("Smith, J. & Jones, K.") == ["Smith, J.", "Jones, K."]


def test_it_writes_semicolons_when_a_name_holds_an_ampersand():
    names = ["Johnson & Johnson", "Smith, J."]
    assert join_names(names) == "Johnson & Johnson; Smith, J."
    assert split_names(join_names(names)) == names


def test_it_cites_the_same_names_the_importer_splits():
    cited = short_citation("Smith, J. & Jones, K.", 2020, "T", "smith2020")
    assert cited == "Smith and Jones (2020)"
    corporate = "Department of Health and Social Care; NHS England"
    assert short_citation(corporate, 2022, "T", "department2022") == (
        "Department of Health and Social Care and NHS England (2022)")
