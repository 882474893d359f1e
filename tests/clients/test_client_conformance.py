"""What every download client must do, checked against each real client program (and the
blackhole folder). A client joins with a fixture returning a `ClientCase` (conftest.py) and one
line in CASES."""

from __future__ import annotations

import dataclasses

import pytest

from core.errors import AuthenticationFailed, ConfigurationError
from downloaders.clients.base import AddRequest, ClientSettings, JobState
from downloaders.clients.registry import CLIENTS, client_for
from tests.clients.torrent_daemons import wait_until

CASES = {  # registry kind -> the fixture giving its ClientCase (conftest.py)
    "qbittorrent": "qbittorrent_case",
    "transmission": "transmission_case",
    "deluge": "deluge_case",
    "nzbget": "nzbget_case",
    "blackhole": "blackhole_case",
}
LINK_KINDS = {"nzb_url", "torrent_url", "magnet"}


@pytest.fixture(params=sorted(CASES))
def case(request):
    return request.getfixturevalue(CASES[request.param])


@pytest.fixture
def client(case):
    adapter = client_for(case.kind, case.settings)
    yield adapter
    adapter.close()


def test_registry_entry_tells_the_forms_what_to_ask(case):
    factory = CLIENTS[case.kind]
    settings_fields = {f.name for f in dataclasses.fields(ClientSettings)}
    assert factory.label and (factory.default_port is None or isinstance(factory.default_port, int))
    assert factory.fields and set(factory.fields) <= settings_fields
    assert factory.protocols and set(factory.protocols) <= LINK_KINDS


def test_connection_returns_a_version(client, case):
    version = client.test_connection()
    assert version.name == CLIENTS[case.kind].label and version.version


def test_add_returns_an_id_that_status_knows(client, case):
    request, expected_id = case.new_job()
    job_id = client.add(request)
    assert job_id == (expected_id or job_id)
    status = client.status(job_id)
    assert status.job_id == job_id and status.state != JobState.MISSING
    unknown = "f" * len(job_id)
    assert client.statuses([job_id, unknown])[unknown].state == JobState.MISSING


def test_pause_and_resume_a_job_or_say_it_cannot(client, case):
    job_id = client.add(case.new_job()[0])
    if getattr(CLIENTS[case.kind], "can_pause", True):
        client.pause(job_id)
        client.resume(job_id)
    else:
        with pytest.raises(ConfigurationError):
            client.pause(job_id)
    assert client.status(job_id).state != JobState.MISSING


def test_remove_makes_it_missing(client, case):
    job_id = client.add(case.new_job()[0])
    client.remove(job_id, delete_files=True)
    wait_until(lambda: client.status(job_id).state == JobState.MISSING, what=f"{job_id} removed")


def test_wrong_credentials_raise_the_auth_error_naming_the_client(case):
    if case.wrong_credentials is None:
        pytest.skip("this client has no credentials")
    adapter = client_for(case.kind, case.wrong_credentials)
    with pytest.raises(AuthenticationFailed) as caught:
        adapter.test_connection()
    assert not caught.value.transient and CLIENTS[case.kind].label in str(caught.value)


def test_a_link_kind_it_cannot_take_is_refused_before_sending(client, case):
    refused = sorted(LINK_KINDS - set(CLIENTS[case.kind].protocols))
    if not refused:
        pytest.skip("this client takes every link kind")
    with pytest.raises(ConfigurationError):
        client.add(AddRequest(url="http://127.0.0.1:9/x", name="x", kind="ebook", link_kind=refused[0]))


def test_download_folder_and_categories_answer(client):
    assert client.download_folder()
    client.create_category("conformance")
    assert isinstance(client.list_categories(), list)
