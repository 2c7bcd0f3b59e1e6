"""Merge bench/results/<vendor>.json into latest.json and print the table BENCHMARKS.md shows."""

import json
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def mark(ok):
    return "✓" if ok else "✗"


def rows(vendor, run):
    s = run["scenarios"]
    out = []
    if "1_theory_detail" in s:
        t = s["1_theory_detail"]
        times = t["times"]
        counts, built = t["queries_by_theory_size"], t["queries_built_by_theory_size"]
        flat = len(set(counts.values())) == 1 and len(set(built.values())) == 1
        out += [
            ("1 theory detail R/F (50 CMOCs x 10 links)", f"{t['R_over_F']}",
             "≤ 2.5", mark(t["R_over_F"] <= 2.5)),
            ("1 R / F / R served from the cached body, median ms",
             f"{times['R_request']['median_ms']} / {times['F_raw_sql_plus_orjson']['median_ms']}"
             f" / {times['R_cached_body']['median_ms']} (R_cached/F {t['R_cached_over_F']})",
             "", ""),
            ("1 speed-up over naive DRF (median ms)", f"{t['speedup_over_naive']}x: "
             f"{t['naive_times']['naive_drf_no_prefetch']['median_ms']} vs "
             f"{t['naive_times']['R_request']['median_ms']} ({t['naive_queries']} queries)",
             "", ""),
            ("1 queries at 5 / 50 / 200 CMOCs, built / cached",
             " / ".join(str(v) for v in built.values()) + ", "
             + " / ".join(str(v) for v in counts.values()),
             "flat", mark(flat)),
        ]
    if "2_lists" in s:
        t = s["2_lists"]
        for kind, ratio in t["deep_over_first"].items():
            out.append((f"2 {kind} list deep page / first page", f"{ratio}", "≤ 1.5",
                        mark(ratio <= 1.5)))
        for kind, ratio in t.get("offset_deep_over_first", {}).items():
            out.append((f"2 {kind} list by page number, deep / first (for contrast)",
                        f"{ratio}", "", ""))
    if "3_search" in s:
        t = s["3_search"]
        for entity, p95 in t["worst_p95_ms_by_entity"].items():
            out.append((f"3 search {entity} worst p95 ms ({t['engine']})", f"{p95}", "≤ 20",
                        mark(p95 <= 20) if vendor == "postgresql" else "(fallback)"))
        out.append(("3 API excerpt search, common term, p95 ms: page numbers / cursor",
                    f"{t['api_excerpt_search']['p95_ms']} / "
                    f"{t['api_excerpt_search_cursor']['p95_ms']}", "", ""))
        if "gin_index_used" in t:
            out.append(("3 EXPLAIN uses the GIN index", json.dumps(t["gin_index_used"]), "yes",
                        mark(any(t["gin_index_used"].values()))))
    if "4_lineage" in s:
        t = s["4_lineage"]
        p95 = t["times"]["recursive_query"]["p95_ms"]
        out += [
            (f"4 lineage recursive query p95 ms ({t['lineage_events_in_review']} events)",
             f"{p95}", "≤ 20", mark(p95 <= 20)),
            ("4 rows returned / distinct nodes", f"{t['rows_returned']} / {t['distinct_nodes']}",
             "equal", mark(t["rows_returned"] == t["distinct_nodes"])),
            ("4 queries: walk / API request", f"{t['queries_for_walk']} / {t['queries_api']}",
             "1 / fixed", mark(t["queries_for_walk"] == 1)),
        ]
    if "5_conditional_get" in s:
        t = s["5_conditional_get"]
        times = t["times"]
        out += [
            ("5 304 / built 200 cost (median)", f"{t['ratio_304_over_200']}", "≤ 0.10",
             mark(t["ratio_304_over_200"] <= 0.10)),
            ("5 median ms: 304 / built 200 / cached 200; queries",
             f"{times['not_modified_304']['median_ms']} / {times['full_200']['median_ms']} / "
             f"{times['cached_200']['median_ms']}; {t['queries_304']} / {t['queries_200']} / "
             f"{t['queries_cached_200']}", "", ""),
        ]
    if "6_load" in s:
        t = s["6_load"]
        detail = t["theory_detail"]
        ok = detail["req_per_s"] >= 150 and detail["p95_ms"] <= 150 and t["errors"] == 0
        mixed = ", ".join(f"{name} {v['requests']} (p95 {v['p95_ms']} ms)"
                          for name, v in t["mixed_client"].items())
        out += [
            ("6 load: theory detail req/s, p50/p95/p99 ms; errors (whole mix)",
             f"{detail['req_per_s']} req/s, {detail['p50_ms']}/{detail['p95_ms']}/"
             f"{detail['p99_ms']}; {t['errors']}", "≥ 150, p95 ≤ 150, 0", mark(ok)),
            ("6 load: the rest of the mix, requests", mixed, "", ""),
        ]
    if "7b_reference_import" in s:
        t = s["7b_reference_import"]
        out.append(("7b import 1,000 BibTeX references / parse them (issue 5)",
                    f"{t['import_over_parse']} ({t['times']['import']['median_ms']} / "
                    f"{t['times']['parse']['median_ms']} ms, {t['queries_per_import']} queries)",
                    "≤ 2", mark(t["import_over_parse"] <= 2.0)))
    if "7c_same_author_year" in s:
        t = s["7c_same_author_year"]
        out.append(("7c dry-run import of 20,000 / 5,000 references sharing author and year "
                    "(issue 17)",
                    f"{t['ratio_20000_over_5000']} ({t['times']['20000']['median_ms']} / "
                    f"{t['times']['5000']['median_ms']} ms; parser alone "
                    f"{t['parse_ratio_20000_over_5000']})",
                    "≤ 4", mark(t["ratio_20000_over_5000"] <= 4.0)))
    if "8_full_texts" in s:
        t = s["8_full_texts"]
        seconds = t["extraction_s"]
        chosen = seconds.get("pypdfium2_job", seconds.get("pypdfium2"))
        first = t["times"]["reader_first_page"]["median_ms"]
        out += [
            (f"8 extract a {t['pages']}-page text PDF, s (pypdfium2 as the job; pypdf; "
             "pdfminer.six)",
             f"{chosen}; {seconds['pypdf_s']}; {seconds['pdfminer_six_s']}",
             "< 30", mark(chosen < 30)),
            ("8 reader first page / page 150, median ms",
             f"{first} / {t['times']['reader_page_150']['median_ms']}", "< 200",
             mark(first < 200)),
        ]
        if "html_reader_first_page" in t["times"]:
            html_first = t["times"]["html_reader_first_page"]["median_ms"]
            out.append((
                f"8 HTML reader ({t['html_bytes']:,} bytes, {t['html_pages']} pages) first / "
                "middle page, median ms",
                f"{html_first} / {t['times']['html_reader_middle_page']['median_ms']}",
                "< 200", mark(html_first < 200)))
        out += [
            ("8 excerpt from a selection: requests, queries, median ms",
             f"{t['requests_per_excerpt']}, {t['queries_per_excerpt']}, "
             f"{t['times']['excerpt_from_selection']['median_ms']}", "1 request",
             mark(t["requests_per_excerpt"] == 1)),
        ]
    if "7_export_import" in s:
        t = s["7_export_import"]
        out.append(("7 export / import", t.get("summary", t.get("status", "")), "", ""))
    if "10_jobs" in s:
        refs, review = s["10_jobs"]["references"], s["10_jobs"]["review"]
        small, large = refs["imports"]["10000"], refs["imports"]["100000"]
        ratio = refs["ratio_100000_over_10000"]
        out += [
            ("10 100,000 references as a job: POST to finished, s (running; worker peak MB; "
             "progress first moved after, s)",
             f"{large['job_seconds']} ({large['running_seconds']}; "
             f"{large['worker_peak_rss_mb']}; {large['first_progress_after_s']})", "", ""),
            ("10 linearity: running time of 100,000 / 10,000 references as jobs",
             f"{ratio} ({large['running_seconds']} / {small['running_seconds']} s)", "≈ 10",
             mark(ratio <= 12)),
            (f"10 whole review (scale {review['rows']['scale']:g}) restored as a job: POST to "
             "finished, s (running; worker peak MB)",
             f"{review['job_seconds']} ({review['running_seconds']}; "
             f"{review['worker_peak_rss_mb']})", "", ""),
        ]
    return out


def main():
    runs = {}
    for vendor in ("postgresql", "sqlite"):
        path = RESULTS / f"{vendor}.json"
        if path.exists():
            runs[vendor] = json.loads(path.read_text())
    if not runs:
        sys.exit("no results: run bench/run.py first")
    (RESULTS / "latest.json").write_text(json.dumps(runs, indent=2))
    for vendor, run in runs.items():
        facts = run["machine"]
        print(f"\n### {facts['database']} — scale {run['data']['scale']:g}, {run['reps']} reps, "
              f"{facts['cpus']} CPUs, {facts.get('memory_gb')} GB, started {run['started_at']}\n")
        print("| scenario | measured | target | met |")
        print("| --- | --- | --- | --- |")
        for name, value, target, ok in rows(vendor, run):
            print(f"| {name} | {value} | {target} | {ok} |")
    print(f"\nwrote {RESULTS / 'latest.json'}")


if __name__ == "__main__":
    main()
