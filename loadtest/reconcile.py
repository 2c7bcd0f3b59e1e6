"""After a load run: does the database hold exactly what the server said it accepted?

Run as `manage.py shell < loadtest/reconcile.py`. Exits non-zero on any server
error or mismatch: a CMOC whose version or history count is not its starting
value plus its accepted edits (a lost or phantom update), or evidence links
that differ from the set of 201 answers (lost or duplicated rows).
"""

import json
import os
import sys
from collections import Counter
from pathlib import Path

from cmocs.models import CMOC, EvidenceLink

RESULTS = Path(os.environ.get("LOADTEST_RESULTS", "loadtest/results"))
setup = json.loads((RESULTS / "setup.json").read_text())
writes = json.loads((RESULTS / "writes.json").read_text())
problems = []

if writes["server_errors"]:
    problems.append(f"{writes['server_errors']} server errors (5xx)")
if writes["failures"]:
    problems.append(f"{writes['failures']} failed requests")

accepted = Counter({int(k): v for k, v in writes["accepted_edits"].items()})
for cmoc_id, start_version in setup["cmocs"].items():
    cmoc_id = int(cmoc_id)
    version = CMOC.objects.values_list("version", flat=True).get(pk=cmoc_id)
    expected = start_version + accepted[cmoc_id]
    if version != expected:
        problems.append(f"CMOC {cmoc_id}: version {version}, expected {expected}")
    history = CMOC.history.filter(id=cmoc_id).count()
    if history != setup["history_before"][str(cmoc_id)] + accepted[cmoc_id]:
        problems.append(f"CMOC {cmoc_id}: {history} history records for "
                        f"{accepted[cmoc_id]} accepted edits")

created = writes["created_links"]
new_links = set(EvidenceLink.objects.filter(created_by__username__startswith="loadtest_")
                .values_list("id", flat=True))
if len(created) != len(set(created)):
    problems.append("the server answered 201 twice with the same evidence link id")
if new_links != set(created):
    problems.append(f"evidence links: {len(new_links)} in the database, {len(created)} accepted")
if EvidenceLink.objects.count() != setup["links_before"] + len(created):
    problems.append("evidence link count does not equal the count before plus those accepted")

edits, refused = sum(accepted.values()), sum(writes["refused_edits"].values())
print(f"loadtest: {writes['requests']} requests, {writes['rps']} req/s, "
      f"p50 {writes['p50_ms']} ms, p95 {writes['p95_ms']} ms, p99 {writes['p99_ms']} ms")
print(f"loadtest: {edits} CMOC edits accepted, {refused} refused with 412, "
      f"{len(created)} evidence links created, {writes['server_errors']} server errors")
for problem in problems:
    print(f"loadtest: MISMATCH {problem}")
print("loadtest: reconciled: no lost or duplicated rows" if not problems else "loadtest: FAILED")
sys.exit(1 if problems else 0)
