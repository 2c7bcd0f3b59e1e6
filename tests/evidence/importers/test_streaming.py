"""A reference file is read a batch of records at a time: memory bounded by the batch,
records identical to reading it whole, and still all or nothing."""

import gc
import tracemalloc

import pytest

from evidence.importers import ImportRefused, encodings, read_references
from evidence.importers.services import import_sources
from evidence.models import SourceDocument
from tests.evidence.importers import samples


def _ris(count, *, start=0, abstract="Leaders built trust across the system. " * 8):
    return "".join(
        f"TY  - JOUR\nAU  - Surname{n}, Given\nTI  - Study {n} of integrated care leadership\n"
        f"PY  - {1990 + n % 30}\nJO  - Journal {n % 40}\nDO  - 10.5555/stream.{n}\n"
        f"AB  - {abstract}\nKW  - leadership\nER  - \n\n"
        for n in range(start, start + count)
    ).encode()


def _peak_while_parsing(path):
    """tracemalloc's peak while every record of the stored file is parsed and let go."""
    gc.collect()
    tracemalloc.start()
    try:
        with path.open("rb") as stream:
            parsed = read_references(stream, path.name)
            records = sum(len(batch) for batch in parsed.batches)
        return records, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_it_parses_a_large_ris_file_in_memory_bounded_by_its_batch(tmp_path, monkeypatch):
    """Four times the records, about the same peak: the file is read line by line and
    its records handed on a batch at a time. Before: the bytes, their text and every
    record were held at once (the peak grew with the file, ~4x here)."""
    monkeypatch.setattr("evidence.importers.batches.READ_BATCH", 100)
    monkeypatch.setattr(encodings, "CHUNK", 1 << 16)
    small, large = tmp_path / "small.ris", tmp_path / "large.ris"
    small.write_bytes(_ris(1000))
    large.write_bytes(_ris(4000))

    small_records, small_peak = _peak_while_parsing(small)
    large_records, large_peak = _peak_while_parsing(large)

    assert (small_records, large_records) == (1000, 4000)
    assert large.stat().st_size > 2 * small_peak  # the file is larger than the peak
    assert large_peak < 1.5 * small_peak, (small_peak, large_peak)


@pytest.mark.parametrize("batch", [1, 2, 3, 1000])
@pytest.mark.parametrize(
    ("filename", "text"),
    [
        # The third record never reaches ER: it runs into the fourth, as in rispy's
        # whole-file reading, and one record is reported as malformed.
        ("refs.ris",
         samples.ZOTERO_RIS + "TY  - JOUR\nTI  - Never closed\n\n" + samples.ENDNOTE_RIS),
        ("refs.nbib", samples.NBIB + "\n" + samples.NBIB.replace("29411111", "29411112")),
        ("refs.txt", samples.WOS_TAGGED),
    ],
)
def test_it_reads_the_same_records_in_batches_of_any_size(filename, text, batch, monkeypatch):
    whole = read_references(text.encode(), filename).records
    monkeypatch.setattr("evidence.importers.batches.READ_BATCH", batch)

    parsed = read_references(text.encode(), filename)
    batches = list(parsed.batches)

    assert [r for b in batches for r in b] == whole
    assert max(len(b) for b in batches) <= max(batch, 2)  # cut only between closed records
    assert [r.position for b in batches for r in b] == list(range(1, len(whole) + 1))


def test_it_refuses_a_bad_record_in_a_later_batch_and_writes_nothing(review, monkeypatch):
    """Batches 1 and 2 are written before batch 3's untitled record is read: the
    refusal rolls them back, and the report names the record."""
    monkeypatch.setattr("evidence.importers.batches.READ_BATCH", 2)
    data = _ris(5) + b"TY  - JOUR\nAU  - Nobody, A.\nER  - \n\n" + _ris(2, start=5)

    with pytest.raises(ImportRefused) as refused:
        import_sources(review=review, data=data, filename="refs.ris")

    assert "1 of 8 records cannot be imported" in refused.value.message
    assert [r["position"] for r in refused.value.report.rejected] == [6]
    assert refused.value.report.created == []
    assert not SourceDocument.objects.filter(review=review).exists()

    report = import_sources(review=review, data=data, filename="refs.ris", skip_invalid=True)
    assert len(report.created) == 7
    assert SourceDocument.objects.filter(review=review).count() == 7


def test_it_finds_duplicates_across_batches(review, monkeypatch):
    monkeypatch.setattr("evidence.importers.batches.READ_BATCH", 2)
    report = import_sources(review=review, data=_ris(3) + _ris(3), filename="refs.ris")

    assert report.summary == "created: 3, duplicates: 3, rejected: 0"
    assert [d["position"] for d in report.duplicates] == [4, 5, 6]


def test_it_reports_bibtex_progress_while_its_library_splits_the_file(monkeypatch):
    monkeypatch.setattr("evidence.importers.batches.READ_BATCH", 2)
    entries = "".join(f"@article{{key{n},\n  title = {{Study {n}}},\n  year = 2020\n}}\n\n"
                      for n in range(7))
    reported = []

    parsed = read_references(entries.encode(), "refs.bib",
                             on_read=lambda done, expected: reported.append((done, expected)))
    first_batch = next(parsed.batches)

    # Before any record was handed on: the split said how far it got, every two blocks.
    assert reported == [(0, 7), (2, 7), (4, 7), (6, 7)]
    assert [r.title for r in first_batch] == ["Study 0", "Study 1"]
    assert [r.title for b in parsed.batches for r in b] == [f"Study {n}" for n in range(2, 7)]


def test_it_reads_the_encoding_of_a_file_larger_than_the_detection_sample(review, monkeypatch):
    """Only lines with non-ASCII bytes go to charset-normalizer, so a cp1252 export
    whose first accented letter comes after the sample is still read (and read whole)."""
    monkeypatch.setattr(encodings, "DETECT_SAMPLE", 2000)
    monkeypatch.setattr(encodings, "CHUNK", 1000)
    accented = ("TY  - JOUR\nAU  - Müller, Jörg\nTI  - Über Führung: Fallstudie für Ärzte\n"
                "ER  - \n\n")
    data = _ris(20) + (accented * 3).encode("cp1252")

    report = import_sources(review=review, data=data, filename="refs.ris", skip_invalid=True)

    assert report.encoding.startswith("cp125")  # 1250 and 1252 read these letters alike
    assert SourceDocument.objects.get(review=review, authors="Müller, Jörg").title == (
        "Über Führung: Fallstudie für Ärzte")


def test_it_names_the_line_of_a_broken_byte_in_a_later_chunk(review, monkeypatch):
    monkeypatch.setattr(encodings, "CHUNK", 64)
    data = _ris(3) + "TY  - JOUR\nTI  - Über Führung für Ärzte\n".encode() + b"N1  - \xff\nER  - \n"

    with pytest.raises(ImportRefused) as refused:
        import_sources(review=review, data=data)

    assert "invalid byte (0xff) on line 33" in refused.value.message
