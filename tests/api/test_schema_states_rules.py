"""Input the OpenAPI document calls valid is accepted: a rule about the input's shape is stated
in the schema (refused with 422 by it), a refusal that depends on state is a 404 or 409."""

from __future__ import annotations

import json

import pytest

from core.jobs import job_kinds
from core.models import ApiKey
from media.models import Author


@pytest.fixture
def key(admin_user):
    return ApiKey.issue(admin_user)


@pytest.fixture
def api(client, key):
    def call(method: str, url: str, body=None):
        data = json.dumps(body) if body is not None else "null"
        return client.generic(method, url, data, content_type="application/json", HTTP_X_API_KEY=key)

    return call


@pytest.fixture
def schemas(client, key):
    document = client.get("/api/openapi.json", HTTP_X_API_KEY=key).json()
    return document["components"]["schemas"]


@pytest.mark.django_db
def test_merging_an_author_into_itself_is_a_conflict(api, schemas):
    author = Author.objects.create(name="Ann Leckie", sort_name="Leckie, Ann", normalized="ann leckie")
    response = api("POST", f"/api/authors/{author.pk}/merge", {"into": author.pk, "confirm": True})
    assert response.status_code == 409 and Author.objects.filter(pk=author.pk).exists()
    assert schemas["MergeIn"]["properties"]["confirm"]["const"] is True
    assert api("POST", f"/api/authors/{author.pk}/merge", {"into": author.pk, "confirm": False}).status_code == 422


@pytest.mark.django_db
def test_the_job_kinds_that_can_be_started_are_the_schemas_enum(api, schemas):
    startable = sorted(kind.kind for kind in job_kinds().values() if kind.user_startable)
    assert schemas["JobIn"]["properties"]["kind"]["enum"] == startable != []
    response = api("POST", "/api/jobs/", {"kind": "scanning.scan_folder"})
    assert response.status_code == 422 and response.json()["details"][0]["field"] == "kind"


@pytest.mark.django_db
def test_one_of_rules_are_stated_as_any_of(schemas):
    required = {name: [branch["required"][0] for branch in schemas[name]["anyOf"]]
                for name in ("BlacklistIn", "PreviewIn", "SelectionIn")}
    assert required == {"BlacklistIn": ["attempt_id", "title"],
                        "PreviewIn": ["template", "template_id", "predefined"],
                        "SelectionIn": ["item_ids", "kind", "series_id", "author_id", "everything"]}


@pytest.mark.django_db
def test_a_body_needing_one_of_two_fields_refuses_neither_with_422(api):
    response = api("POST", "/api/downloads/blacklist/", {"title": "  ", "reason": "manual"})
    assert response.status_code == 422 and "attempt_id, title" in response.json()["error"]


@pytest.mark.django_db
def test_status_and_search_with_nothing_to_match_find_nothing(api):
    status = api("GET", "/api/media/status/?kind=ebook&external_id=&isbn=")
    assert status.status_code == 200 and status.json()["data"]["exists"] is False
    search = api("GET", "/api/metadata/search?q=&title=&author=&isbn=")
    assert search.status_code == 200 and search.json()["data"] == {"results": [], "providers": []}


@pytest.mark.django_db
def test_an_unknown_provider_name_is_refused_by_the_schema(api):
    response = api("GET", "/api/metadata/search?q=dune&providers=openlibrary,nosuch")
    assert response.status_code == 422 and response.json()["details"][0]["field"] == "providers"


@pytest.mark.django_db
def test_an_empty_list_of_items_to_refresh_is_refused_by_the_schema(api, schemas):
    response = api("POST", "/api/media/refresh", {"item_ids": []})
    assert response.status_code == 422 and response.json()["details"][0]["field"] == "item_ids"
    [listed, _null] = schemas["BulkRefreshIn"]["properties"]["item_ids"]["anyOf"]
    assert listed["minItems"] == 1


@pytest.mark.django_db
def test_scan_folder_paths_are_absolute_in_the_schema(schemas):
    assert schemas["FolderIn"]["properties"]["path"]["pattern"].startswith("^/")
