import pytest

from indexers.models import IndexerConfig
from tests.ui.factories import make_item

pytestmark = pytest.mark.django_db

@pytest.mark.parametrize("kind,url", [("prowlarr","http://127.0.0.1:9"),("newznab","http://127.0.0.1:9"),("torznab","http://localhost:1/x"),("prowlarr","http://[::1]:9")])
def test_interactive(admin_client, kind, url):
    IndexerConfig.objects.create(name="x", kind=kind, url=url, api_key="k", enabled=True)
    item = make_item("Dune", authors=["Frank Herbert"], status="wanted", isbn13="9780441013593")
    r = admin_client.post(f"/api/v1/downloads/search/{item.pk}/", {"mode": "interactive"}, content_type="application/json")
    print(kind, r.status_code, r.content[:300])
    assert r.status_code != 500
