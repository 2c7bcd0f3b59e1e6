"""Inter-reviewer agreement on screening: Cohen's kappa and raw agreement.

Computed on each reviewer's first decision on a source (the one made blind),
not on later revisions: a change of mind after seeing a colleague's vote
would otherwise inflate agreement.
"""

from collections import Counter, defaultdict

from django.contrib.auth import get_user_model
from django.db import connection

from evidence.models import ScreeningPairCount, ScreeningStage

User = get_user_model()


def cohens_kappa(pairs):
    """(raw agreement, kappa) for two raters' labels on the same items; see kappa_from_table."""
    return kappa_from_table(Counter(pairs))


def kappa_from_table(table):
    """(raw agreement, kappa) from {(first rater's label, second's): how many items}.

    kappa = (p_o - p_e) / (1 - p_e), where p_o is the share of items both
    raters labelled alike and p_e the share expected by chance from each
    rater's own label frequencies. kappa is None when p_e = 1 (both raters
    used one and the same label throughout), where it is undefined.
    """
    n = sum(table.values())
    if n == 0:
        return None, None
    observed = sum(count for (a, b), count in table.items() if a == b) / n
    first, second = Counter(), Counter()
    for (a, b), count in table.items():
        first[a] += count
        second[b] += count
    expected = sum(first[label] * second[label] for label in first) / (n * n)
    if expected == 1:
        return observed, None
    return observed, (observed - expected) / (1 - expected)


# The blind decisions' pairs are kept per item by the screening services
# (evidence.models.ScreeningPair) and counted by (stage, reviewer, reviewer, label, label)
# in ScreeningPairCount by the same refresh: those counts are the tables kappa needs, a few
# rows per reviewer pair whatever the size of the review.
_PAIRS_SQL = f"""
SELECT p.stage, ua.username, ub.username, p.first_label, p.second_label, p.items
FROM {ScreeningPairCount._meta.db_table} p
JOIN {User._meta.db_table} ua ON ua.id = p.first_reviewer_id
JOIN {User._meta.db_table} ub ON ub.id = p.second_reviewer_id
WHERE p.review_id = %(review)s AND p.items > 0
"""  # noqa: S608 (table names are the models' own; the review is a parameter)


def _pair_tables(review):
    """{stage: {(name, name): {(label, label): n}}}, each pair's names in alphabetical order."""
    tables = defaultdict(lambda: defaultdict(Counter))
    with connection.cursor() as cursor:
        cursor.execute(_PAIRS_SQL, {"review": review.pk})
        for stage, name_a, name_b, label_a, label_b, n in cursor.fetchall():
            if name_a > name_b:
                name_a, name_b, label_a, label_b = name_b, name_a, label_b, label_a
            tables[stage][name_a, name_b][label_a, label_b] += n
    return tables


def review_agreement(review):
    """Per stage: agreement of every reviewer pair, and of the team, in one query.

    The team's kappa is the mean of the pairwise kappas (Light's kappa); its
    raw agreement pools every pair's items. The pairs' labels are read
    already counted (ScreeningPairCount rows, kept with the screening states).
    """
    tables = _pair_tables(review)
    stages = []
    for stage, label in ScreeningStage.choices:
        pairs = []
        for names, table in sorted(tables[stage].items()):
            raw, kappa = kappa_from_table(table)
            pairs.append(
                {
                    "reviewers": list(names),
                    "n": sum(table.values()),
                    "agreed": sum(count for (a, b), count in table.items() if a == b),
                    "raw_agreement": raw,
                    "kappa": kappa,
                }
            )
        kappas = [p["kappa"] for p in pairs if p["kappa"] is not None]
        n_total = sum(p["n"] for p in pairs)
        stages.append(
            {
                "stage": stage,
                "label": label,
                "n": n_total,
                "raw_agreement": sum(p["agreed"] for p in pairs) / n_total if n_total else None,
                "kappa": sum(kappas) / len(kappas) if kappas else None,
                "pairs": pairs,
            }
        )
    return stages
