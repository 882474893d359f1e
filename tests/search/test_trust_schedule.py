"""Trust that learns on its own (issue 24 item 13): a periodic job moves the trust of each source
that allows it to its measured accuracy, within the bounds an admin set, every change in the
audit log; running it again changes nothing; a source without enough corrected or locked values
waits; and a person's decision (a revert of an automatic change, a trust set by hand) holds until
there is new evidence, instead of being undone by the next run."""

from __future__ import annotations

import pytest

from core.models import Job, JobState
from core.scheduler import run_due_schedules
from media.models import MediaItem
from omnireadarr.schedules import SCHEDULES
from search.models import DataSource, TrustChange
from search.services import record_candidates, trust
from search.services.trust import MIN_FEEDBACK
from search.tasks import adjust_trust

pytestmark = pytest.mark.django_db
JSON = "application/json"
BOUNDS = {"googlebooks": (0.4, 0.9), "openlibrary": (0.6, 0.9), "comicvine": (0.5, 1.0)}


def _evidence(client, source: str, *, corrected: int = 0, confirmed: int = 0) -> None:
    """Books whose publisher came from `source` alone, then corrected by hand or locked as given."""
    start = MediaItem.objects.count()
    for n in range(corrected + confirmed):
        item = MediaItem.objects.create(title=f"{source} {start + n}", sort_title=f"{source} {start + n}")
        record_candidates(item, source, {"publisher": f"Publisher {n}"}, 0.8)
        if n < corrected:
            reply = client.post(f"/api/media/{item.pk}/fields/publisher", {"value": "Right"}, content_type=JSON)
        else:
            reply = client.post(f"/api/media/{item.pk}/fields/publisher/lock", {"locked": True}, content_type=JSON)
        assert reply.status_code == 200, reply.content


def _run_schedule() -> Job:
    """What the scheduler and a worker do: enqueue the periodic job, then run it."""
    schedule = next(s for s in SCHEDULES if s.job_kind == "search.adjust_trust")
    assert run_due_schedules(schedules=(schedule,)) == [schedule.name]
    job = Job.objects.filter(kind="search.adjust_trust").latest("id")
    adjust_trust.fn(job.pk)
    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED, job.last_error
    return job


def _run_again() -> Job:
    Job.objects.filter(kind="search.adjust_trust").delete()
    from core.models import ScheduleSetting

    ScheduleSetting.objects.filter(name="trust_adjust").update(last_run_at=None)
    return _run_schedule()


def _trusts() -> dict[str, float]:
    return dict(DataSource.objects.values_list("name", "trust"))


@pytest.fixture
def learning(admin_client):
    for name, (low, high) in BOUNDS.items():
        trust.set_bounds(name, auto_adjust=True, trust_min=low, trust_max=high)
    _evidence(admin_client, "googlebooks", corrected=MIN_FEEDBACK, confirmed=1)  # accuracy 1/6
    _evidence(admin_client, "openlibrary", confirmed=MIN_FEEDBACK + 1)  # accuracy 1
    _evidence(admin_client, "comicvine", confirmed=MIN_FEEDBACK - 1)  # not enough to judge
    _evidence(admin_client, "opf", corrected=MIN_FEEDBACK + 1)  # never adjusted automatically
    return admin_client


def test_the_daily_job_moves_trust_to_accuracy_within_bounds_and_logs_each_change(learning, broker):
    before = _trusts()
    job = _run_schedule()
    after = _trusts()
    assert after["googlebooks"] == 0.4  # accuracy 0.17, held at the admin's minimum
    assert after["openlibrary"] == 0.9  # accuracy 1.0, held at the admin's maximum
    assert after["comicvine"] == before["comicvine"]  # 4 values: waits for the fifth
    assert after["opf"] == before["opf"]  # no automatic adjustment asked for
    log = {c.source.name: c for c in TrustChange.objects.select_related("source")}
    assert set(log) == {"googlebooks", "openlibrary"}
    assert all(c.reason == "auto" and c.user is None and c.reverted_at is None for c in log.values())
    assert (log["googlebooks"].old_trust, log["googlebooks"].new_trust) == (before["googlebooks"], 0.4)
    assert "17% over 6 values" in log["googlebooks"].note
    assert job.result["changed"] == 2 and "comicvine" in " ".join(job.result["waiting"])
    for name, (low, high) in BOUNDS.items():  # the bounds themselves are the admin's, untouched
        source = DataSource.objects.get(name=name)
        assert (source.auto_adjust, source.trust_min, source.trust_max) == (True, low, high)

    _run_again()  # idempotent: nothing new to learn, nothing changes
    assert _trusts() == after and TrustChange.objects.count() == 2
    page = learning.get("/sources/").content.decode()
    assert f"<code>trust_adjust</code>) once it has at least {MIN_FEEDBACK} corrected" in page
    assert "Adjusted from accuracy" in page  # the audit log on the page


def test_a_reverted_automatic_change_holds_until_there_is_new_evidence(learning, broker):
    _run_schedule()
    change = TrustChange.objects.get(source__name="googlebooks", reason="auto")
    assert learning.post(f"/api/metadata/trust/changes/{change.pk}/revert").status_code == 200
    assert _trusts()["googlebooks"] == 0.75

    _run_again()  # the admin's revert stands: the same six values would only say the same again
    assert _trusts()["googlebooks"] == 0.75
    assert not TrustChange.objects.filter(source__name="googlebooks", reason="auto").exclude(pk=change.pk).exists()

    _evidence(learning, "googlebooks", corrected=1)  # one more correction: new evidence
    _run_again()
    assert _trusts()["googlebooks"] == 0.4
    latest = TrustChange.objects.filter(source__name="googlebooks").first()
    assert latest.reason == "auto" and "over 7 values" in latest.note


def test_a_trust_set_by_hand_holds_until_there_is_new_evidence(learning, broker):
    _run_schedule()
    reply = learning.patch("/api/metadata/sources/openlibrary", {"trust": 0.7}, content_type=JSON)
    assert reply.status_code == 200, reply.content
    _run_again()
    assert _trusts()["openlibrary"] == 0.7
    _evidence(learning, "openlibrary", confirmed=1)
    _run_again()
    assert _trusts()["openlibrary"] == 0.9
