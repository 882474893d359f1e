#!/usr/bin/env python3
"""Tell OmniReadarr that SABnzbd finished a job, so its import starts within seconds instead of
at the next poll (once a minute). Python 3 standard library only: SABnzbd itself runs on it.

As SABnzbd's notification script (Config > Notifications > Notification Script; enable "Job
finished" and "Job failed"): put this file in SABnzbd's script folder, choose it, and write
`<OmniReadarr URL> <API key>` into its Parameters box, e.g. `http://omnireadarr:8000 3kd...`.
SABnzbd runs it as `sabnzbd-notify.py <type> <title> <job name>` with the Parameters in
SAB_NOTIFICATION_PARAMETERS.

As a post-processing script (Config > Categories > Script) it sends the job's id (SAB_NZO_ID);
set OMNI_URL and OMNI_API_KEY in SABnzbd's environment, or write them below.

A third word in the Parameters (or OMNI_CLIENT_ID) names the download client's id in OmniReadarr
when there are several. Any user's API key works (Settings > API key in OmniReadarr).
Exit status: 0 when OmniReadarr took the notice (or there was nothing to tell), 1 otherwise."""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request

OMNI_URL = ""  # e.g. "http://omnireadarr:8000"; the environment or the Parameters win
OMNI_API_KEY = ""
EVENTS = ("complete", "failed")  # SABnzbd's notification types worth telling
TIMEOUT_SECONDS = 10


def settings(env: dict[str, str]) -> tuple[str, str, str]:
    words = env.get("SAB_NOTIFICATION_PARAMETERS", "").split()
    words += [""] * (3 - len(words))
    url = env.get("OMNI_URL") or words[0] or OMNI_URL
    key = env.get("OMNI_API_KEY") or words[1] or OMNI_API_KEY
    return url.rstrip("/"), key, env.get("OMNI_CLIENT_ID") or words[2]


def notice(argv: list[str], env: dict[str, str]) -> dict | None:
    """What to send: a post-processing script knows the job id, a notification only its name."""
    if env.get("SAB_NZO_ID"):
        event = "complete" if env.get("SAB_PP_STATUS", "0") == "0" else "failed"
        return {"job_id": env["SAB_NZO_ID"], "name": env.get("SAB_FINAL_NAME", ""), "category": env.get("SAB_CAT", ""),
                "event": event}
    if len(argv) >= 4 and argv[1] in EVENTS:
        return {"name": argv[3], "event": argv[1]}
    return None


def send(url: str, key: str, body: dict) -> str:
    request = urllib.request.Request(
        f"{url}/api/downloads/notify/",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "X-Api-Key": key},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
        return response.read().decode("utf-8", "replace")


def main(argv: list[str], env: dict[str, str]) -> int:
    body = notice(argv, env)
    if body is None:
        print("Nothing to tell OmniReadarr about this notification.")
        return 0
    url, key, client = settings(env)
    if not url or not key:
        print("OmniReadarr URL or API key missing: write '<URL> <API key>' into the script's Parameters.")
        return 1
    if client.isdigit():
        body["client_id"] = int(client)
    try:
        answer = json.loads(send(url, key, body))
    except urllib.error.HTTPError as exc:
        print(f"OmniReadarr refused the notice: HTTP {exc.code} {exc.read()[:300].decode('utf-8', 'replace')}")
        return 1
    except (urllib.error.URLError, OSError, ValueError) as exc:
        print(f"Could not reach OmniReadarr at {url}: {exc}")
        return 1
    print(f"OmniReadarr checks the download now (job {answer['data']['job_id']}).")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv, dict(os.environ)))
