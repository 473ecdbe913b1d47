"""The users bench/load.py runs with locust: each looks at the dashboard, reads the summary API and now and
then uploads a small usage file through the API. Not run on its own: load.py writes the configuration
(organisation, API token, logged-in sessions, year) to the JSON file named by LOAD_BENCH_CONFIG."""

import io
import json
import os
import random
import uuid
from pathlib import Path

from locust import HttpUser, between, task

CONFIG = json.loads(Path(os.environ["LOAD_BENCH_CONFIG"]).read_text())
THINK = float(CONFIG.get("think_seconds", 1.0))
UPLOAD_ROWS = 20
MODELS = ("gpt-4o", "gpt-4o-mini", "gpt-4.1")


def usage_csv(year: int) -> bytes:
    """A small generic_csv file that no earlier upload had: a project of its own, so its records are new
    (stored, not recognised as a file already loaded nor replacing earlier records)."""
    project = f"load-{uuid.uuid4().hex[:12]}"
    out = io.StringIO()
    out.write("date,provider,model,requests,input_tokens,output_tokens,user,team,project,zone\n")
    for _ in range(UPLOAD_ROWS):
        out.write(
            f"{year}-{random.randint(1, 12):02d}-{random.randint(1, 28):02d},openai,{random.choice(MODELS)},"
            f"{random.randint(1, 50)},{random.randint(100, 50_000)},{random.randint(10, 5_000)},"
            f"load.user{random.randint(1, 20)}@demo.example,Engineering,{project},FR\n"
        )
    return out.getvalue().encode()


class LedgerUser(HttpUser):
    """One person using the site: dashboard and summary three times as often as an upload."""

    wait_time = between(THINK / 2, THINK * 1.5)

    def on_start(self):
        # A session made by load.py (not a login per user: the login rate limit is not what is measured).
        self.client.cookies.set(CONFIG["session_cookie"], random.choice(CONFIG["sessions"]))
        self.api = {"Authorization": f"Bearer {CONFIG['token']}"}
        self.org = CONFIG["org"]

    def _expect(self, response, code: int) -> None:
        if response.status_code != code:
            response.failure(f"HTTP {response.status_code}, expected {code}")

    @task(3)
    def dashboard(self):
        # No redirects followed: a redirect to the login page would otherwise count as a fast success.
        with self.client.get(
            f"/o/{self.org}/", name="dashboard", allow_redirects=False, catch_response=True
        ) as response:
            self._expect(response, 200)

    @task(3)
    def summary_api(self):
        with self.client.get(
            f"/api/v1/o/{self.org}/summary/",
            name="summary API",
            headers=self.api,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            self._expect(response, 200)

    @task(1)
    def upload_api(self):
        files = {"file": (f"load-{uuid.uuid4().hex[:8]}.csv", usage_csv(CONFIG["year"]), "text/csv")}
        with self.client.post(
            f"/api/v1/o/{self.org}/runs/",
            name="upload API",
            headers=self.api,
            data={"source": "generic_csv"},
            files=files,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            self._expect(response, 201)
