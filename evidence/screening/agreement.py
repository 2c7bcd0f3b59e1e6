"""Inter-reviewer agreement on screening: Cohen's kappa and raw agreement.

Computed on each reviewer's first decision on a source (the one made blind),
not on later revisions: a change of mind after seeing a colleague's vote
would otherwise inflate agreement.
"""

from collections import Counter, defaultdict
from itertools import combinations

from evidence.models import ScreeningDecision, ScreeningStage


def cohens_kappa(pairs):
    """(raw agreement, kappa) for two raters' labels on the same items.

    kappa = (p_o - p_e) / (1 - p_e), where p_o is the share of items both
    raters labelled alike and p_e the share expected by chance from each
    rater's own label frequencies. kappa is None when p_e = 1 (both raters
    used one and the same label throughout), where it is undefined.
    """
    n = len(pairs)
    if n == 0:
        return None, None
    observed = sum(a == b for a, b in pairs) / n
    first, second = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    expected = sum(first[label] * second[label] for label in first) / (n * n)
    if expected == 1:
        return observed, None
    return observed, (observed - expected) / (1 - expected)


def review_agreement(review):
    """Per stage: agreement of every reviewer pair, and of the team, in one query.

    The team's kappa is the mean of the pairwise kappas (Light's kappa); its
    raw agreement pools every pair's items.
    """
    rows = ScreeningDecision.objects.filter(
        source__review=review, supersedes__isnull=True
    ).values_list("stage", "source_id", "reviewer_id", "reviewer__username", "decision")
    votes = defaultdict(dict)  # (stage, reviewer) -> {source: decision}
    names = {}
    for stage, source_id, reviewer_id, username, decision in rows:
        votes[stage, reviewer_id][source_id] = decision
        names[reviewer_id] = username
    stages = []
    for stage, label in ScreeningStage.choices:
        reviewers = sorted((r for s, r in votes if s == stage), key=lambda r: names[r])
        pairs = []
        for a, b in combinations(reviewers, 2):
            shared = votes[stage, a].keys() & votes[stage, b].keys()
            labels = [(votes[stage, a][s], votes[stage, b][s]) for s in sorted(shared)]
            if not labels:
                continue
            raw, kappa = cohens_kappa(labels)
            pairs.append(
                {
                    "reviewers": [names[a], names[b]],
                    "n": len(labels),
                    "agreed": sum(x == y for x, y in labels),
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
