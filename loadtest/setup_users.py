"""Load-test accounts: `manage.py shell < loadtest/setup_users.py` with LOADTEST_USERS set.

Each simulated user is an editor of the shipped 2024 review with an API token;
the tokens, CMOC ids and excerpt ids go to loadtest/results/setup.json for the
locustfile, and the starting versions and row counts for the reconciliation.
"""

import json
import os
from pathlib import Path

from django.contrib.auth import get_user_model

from accounts.models import APIToken
from cmocs.models import CMOC, EvidenceLink
from evidence.models import Excerpt
from ichub.models import Membership, Review

SLUG = "ics-leadership-rapid-realist-review-2024"
review = Review.objects.get(slug=SLUG)
tokens = []
for number in range(int(os.environ.get("LOADTEST_USERS", "50"))):
    user, _ = get_user_model().objects.get_or_create(username=f"loadtest_{number:02d}")
    Membership.objects.get_or_create(review=review, user=user,
                                     defaults={"role": Membership.Role.EDITOR})
    tokens.append(APIToken.issue(user=user, name="loadtest")[1])

cmocs = list(CMOC.objects.filter(review=review, stage="refined").values("id", "version"))
visible_sources = review.evidence_reviews()
excerpts = list(
    Excerpt.objects.filter(source__review__in=visible_sources).values_list("id", flat=True)
)
out = Path(os.environ.get("LOADTEST_RESULTS", "loadtest/results"))
out.mkdir(parents=True, exist_ok=True)
(out / "setup.json").write_text(json.dumps({
    "review": SLUG,
    "tokens": tokens,
    "cmocs": {str(c["id"]): c["version"] for c in cmocs},
    "history_before": {str(c["id"]): CMOC.history.filter(id=c["id"]).count() for c in cmocs},
    "excerpts": excerpts,
    "links_before": EvidenceLink.objects.count(),
}))
print(f"setup: {len(tokens)} users, {len(cmocs)} CMOCs, {len(excerpts)} excerpts")
