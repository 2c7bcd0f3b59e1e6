"""Locust users for `make loadtest`: curators reading, editing CMOCs (If-Match), linking evidence.

Every accepted write is written down (edits per CMOC, ids of new evidence
links) in results/writes.json when the run stops, so reconcile.py can
compare the database with exactly what the server said it accepted.
A 412 is a correct answer to a lost race, not a failure; a 5xx always is.
"""

import json
import os
import random
from collections import Counter
from pathlib import Path

from locust import HttpUser, between, events, task

RESULTS = Path(os.environ.get("LOADTEST_RESULTS", "loadtest/results"))
SETUP = json.loads((RESULTS / "setup.json").read_text())
ELEMENTS = ["context", "mechanism_resource", "mechanism_reasoning", "outcome", "whole"]
STANCES = ["supports", "challenges", "refines"]

accepted_edits = Counter()
refused_edits = Counter()
created_links = []
server_errors = [0]
_next_token = iter(SETUP["tokens"] * 1000)


class Curator(HttpUser):
    wait_time = between(0.1, 0.5)

    def on_start(self):
        self.client.headers["Authorization"] = f"Token {next(_next_token)}"
        self.cmoc_ids = list(SETUP["cmocs"])

    @task(5)
    def read_cmocs(self):
        self.client.get(f"/api/cmocs/?review={SETUP['review']}", name="/api/cmocs/?review")

    @task(3)
    def read_one_cmoc_and_its_lineage(self):
        cmoc = random.choice(self.cmoc_ids)
        self.client.get(f"/api/cmocs/{cmoc}/", name="/api/cmocs/[id]/")
        self.client.get(f"/api/cmocs/{cmoc}/lineage/", name="/api/cmocs/[id]/lineage/")

    @task(1)
    def read_dashboard_page(self):
        self.client.get(f"/reviews/{SETUP['review']}/", name="/reviews/[slug]/")

    @task(3)
    def edit_a_cmoc(self):
        cmoc = random.choice(self.cmoc_ids)
        etag = self.client.get(f"/api/cmocs/{cmoc}/", name="/api/cmocs/[id]/").headers["ETag"]
        with self.client.patch(
            f"/api/cmocs/{cmoc}/", json={"notes": f"load test edit {random.random()}"},
            headers={"If-Match": etag}, name="PATCH /api/cmocs/[id]/", catch_response=True,
        ) as response:
            if response.status_code == 200:
                accepted_edits[cmoc] += 1
                response.success()
            elif response.status_code == 412:
                refused_edits[cmoc] += 1
                response.success()
            else:
                response.failure(f"{response.status_code}: {response.text[:200]}")

    @task(2)
    def link_evidence(self):
        body = {"cmoc": int(random.choice(self.cmoc_ids)),
                "excerpt": random.choice(SETUP["excerpts"]),
                "element": random.choice(ELEMENTS), "stance": random.choice(STANCES)}
        with self.client.post("/api/evidence-links/", json=body, name="POST /api/evidence-links/",
                              catch_response=True) as response:
            if response.status_code == 201:
                created_links.append(response.json()["id"])
                response.success()
            elif response.status_code == 400 and "already" in response.text.lower():
                response.success()  # that excerpt already bears on that element: refused whole
            else:
                response.failure(f"{response.status_code}: {response.text[:200]}")


@events.request.add_listener
def count_server_errors(response=None, **kwargs):
    if response is not None and response.status_code >= 500:
        server_errors[0] += 1


@events.test_stop.add_listener
def write_down_accepted_writes(environment, **kwargs):
    stats = environment.stats.total
    (RESULTS / "writes.json").write_text(json.dumps({
        "accepted_edits": accepted_edits, "refused_edits": refused_edits,
        "created_links": created_links, "server_errors": server_errors[0],
        "requests": stats.num_requests, "failures": stats.num_failures,
        "p50_ms": stats.get_response_time_percentile(0.5),
        "p95_ms": stats.get_response_time_percentile(0.95),
        "p99_ms": stats.get_response_time_percentile(0.99),
        "rps": round(stats.total_rps, 1),
    }))
