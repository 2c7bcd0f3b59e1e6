"""The screening flow as the PRISMA 2020 flow-diagram template (PRISMA2020 R package and app).

The PRISMA2020 package (Haddaway et al., 2022) and its Shiny app read a CSV
with the columns `data,node,box,description,boxtext,tooltips,url,n`, one row
per number of the diagram; filling `n` with a review's numbers lets a
reviewer draw the standard diagram. ichub's flow is realist (searches that
feed it iteratively, then relevance, richness and rigour appraisal), so it is
mapped onto PRISMA's boxes as follows, and a number ichub does not hold is
written NA (R's missing value), never 0:

- records identified: database searches → databases; citation tracking →
  citation searching; iterative, purposive and other searches → other methods
  ("organisations");
- records screened / excluded: title-and-abstract screening;
- reports sought and assessed: full-text screening; reports excluded: each
  reported step from it on (full text, relevance, richness, rigour) with the
  number not retained after it;
- studies included: the included stage.
"""

import csv
import io

from evidence.screening.flow import screening_flow

COLUMNS = ["data", "node", "box", "description", "boxtext", "tooltips", "url", "n"]

# (data, node, box, description, boxtext): the template's rows, in its order.
_ROWS = [
    ("previous_studies", "node5", "box1", "Studies included in previous version of review",
     "Studies included in previous version of review"),
    ("previous_reports", "NA", "box1",
     "Reports of studies included in previous version of review",
     "Reports of studies included in previous version of review"),
    ("database_results", "node7", "box2", "Records identified from: Databases", "Databases"),
    ("register_results", "NA", "box2", "Records identified from: Registers", "Registers"),
    ("website_results", "node17", "box11", "Records identified from: Websites", "Websites"),
    ("organisation_results", "", "box11", "Records identified from: Organisations",
     "Organisations"),
    ("citations_results", "NA", "box11", "Records identified from: Citation searching",
     "Citation searching"),
    ("duplicates", "node8", "box3", "Duplicate records", "Duplicate records"),
    ("excluded_automatic", "NA", "box3", "Records marked as ineligible by automation tools",
     "Records marked as ineligible by automation tools"),
    ("excluded_other", "NA", "box3", "Records removed for other reasons",
     "Records removed for other reasons"),
    ("records_screened", "node9", "box4", "Records screened (databases and registers)",
     "Records screened"),
    ("records_excluded", "node10", "box5", "Records excluded (databases and registers)",
     "Records excluded"),
    ("dbr_sought_reports", "node11", "box6",
     "Reports sought for retrieval (databases and registers)", "Reports sought for retrieval"),
    ("dbr_notretrieved_reports", "node12", "box7",
     "Reports not retrieved (databases and registers)", "Reports not retrieved"),
    ("other_sought_reports", "node18", "box12", "Reports sought for retrieval (other)",
     "Reports sought for retrieval"),
    ("other_notretrieved_reports", "node19", "box13", "Reports not retrieved (other)",
     "Reports not retrieved"),
    ("dbr_assessed", "node13", "box8",
     "Reports assessed for eligibility (databases and registers)",
     "Reports assessed for eligibility"),
    ("dbr_excluded", "node14", "box9", "Reports excluded (databases and registers)",
     "Reports excluded"),
    ("other_assessed", "node20", "box14", "Reports assessed for eligibility (other)",
     "Reports assessed for eligibility"),
    ("other_excluded", "node21", "box15", "Reports excluded (other)", "Reports excluded"),
    ("new_studies", "node15", "box10", "New studies included in review",
     "New studies included in review"),
    ("new_reports", "NA", "box10", "Reports of new included studies",
     "Reports of new included studies"),
    ("total_studies", "node22", "box16", "Total studies included in review",
     "Total studies included in review"),
    ("total_reports", "NA", "box16", "Reports of total included studies",
     "Reports of total included studies"),
]
_INFLOW_ROW = {"database": "database_results", "citation": "citations_results"}
_AFTER_FULL_TEXT = ["full_text", "relevance", "richness", "rigour", "included"]


def prisma_numbers(review):
    """{template data name: number or None} from the review's screening flow."""
    stages = {stage["stage"]: stage for stage in screening_flow(review)}
    count = {name: stage["count"] for name, stage in stages.items()}
    numbers = {}
    for inflow in stages["identified"]["inflows"]:
        if inflow["count"] is None:
            continue
        name = _INFLOW_ROW.get(inflow["kind"], "organisation_results")
        numbers[name] = (numbers.get(name) or 0) + inflow["count"]
    if not stages["identified"]["inflows"] and count["identified"] is not None:
        numbers["database_results"] = count["identified"]
    numbers["records_screened"] = count["title_abstract"]
    numbers["records_excluded"] = _difference(count["title_abstract"], count["full_text"])
    numbers["dbr_sought_reports"] = count["full_text"]
    numbers["dbr_assessed"] = count["full_text"]
    numbers["new_studies"] = numbers["total_studies"] = count["included"]
    return numbers, _exclusion_reasons(stages, count)


def _difference(before, after):
    return before - after if before is not None and after is not None else None


def _exclusion_reasons(stages, count):
    """'Not retained after: screened by full text, 22; …' (PRISMA's 'Reason, n; …').

    Between each reported step from full-text screening on and the next
    reported one; a step the review did not report is passed over.
    """
    reported = [stage for stage in _AFTER_FULL_TEXT if count[stage] is not None]
    reasons = []
    for stage, next_stage in zip(reported, reported[1:], strict=False):
        excluded = count[stage] - count[next_stage]
        if excluded:
            reasons.append(f"Not retained after: {stages[stage]['label'].lower()}, {excluded}")
    return "; ".join(reasons)


def to_prisma_csv(review):
    numbers, reasons = prisma_numbers(review)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for data, node, box, description, boxtext in _ROWS:
        if data == "dbr_excluded":
            n = reasons or "NA"
        else:
            value = numbers.get(data)
            n = "NA" if value is None else value
        drawn = node not in ("NA", "")  # the template's rows without a node of their own
        url = f"{data}.html" if drawn else "NA"
        tooltip = description if drawn else "NA"
        writer.writerow([data, node, box, description, boxtext, tooltip, url, n])
    return buffer.getvalue().encode("utf-8")
