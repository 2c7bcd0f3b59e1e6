"""Load for scenario 6: mostly theory-detail reads, some list reads, some CMOC edits.

Run by bench/load.py (headless, bounded in time) against gunicorn on 127.0.0.1;
the ids and token come from the environment it sets.
"""

import itertools
import os

from locust import FastHttpUser, constant, task

THEORY = os.environ["BENCH_THEORY_ID"]
REVIEW = os.environ["BENCH_REVIEW_SLUG"]
CMOCS = itertools.cycle(os.environ["BENCH_CMOC_IDS"].split(","))
HEADERS = {"Authorization": f"Token {os.environ['BENCH_TOKEN']}"}


class Curator(FastHttpUser):
    wait_time = constant(0)

    def on_start(self):
        self.cmoc = next(CMOCS)  # one CMOC per user, so edits never race each other

    @task(16)
    def theory_detail(self):
        self.client.get(f"/api/theories/{THEORY}/", headers=HEADERS, name="theory detail")

    @task(2)
    def cmoc_list(self):
        self.client.get(f"/api/cmocs/?review={REVIEW}&stage=initial", headers=HEADERS,
                        name="cmoc list")

    @task(1)
    def edit_cmoc(self):
        url = f"/api/cmocs/{self.cmoc}/"
        etag = self.client.get(url, headers=HEADERS, name="cmoc detail").headers.get("ETag")
        self.client.patch(url, json={"notes": "Checked under load."},
                          headers={**HEADERS, "If-Match": etag or ""}, name="cmoc edit")
