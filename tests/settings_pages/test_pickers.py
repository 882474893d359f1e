"""Issue 20 defect 4: no internal ids asked of people. The rename selection and the author merge
are search pickers (static/js/picker.js) over /api/library/search and /api/authors/?q=; the APIs
still take ids."""

from __future__ import annotations

import pytest

from tests.ui.factories import make_item

pytestmark = pytest.mark.django_db


def test_rename_page_offers_a_book_picker_prefilled_from_the_selection(admin_client):
    dune = make_item("Dune", authors=["Frank Herbert"])
    emma = make_item("Emma", authors=["Jane Austen"])
    html = admin_client.get(f"/rename-books/?items={emma.pk},999999,{dune.pk},x").content.decode()
    assert "Items (ids" not in html and 'inputmode="numeric"' not in html
    assert 'role="combobox"' in html and 'data-picker-source="items"' in html
    assert f'value="{emma.pk},{dune.pk}"' in html  # unknown and malformed ids dropped, order kept
    assert html.index("<span>Emma</span>") < html.index("<span>Dune</span>")


def test_author_page_merges_through_a_picker_not_a_number(admin_client):
    make_item("Les Misérables", authors=["Victor Hugo"])
    hugo = make_item("Notre-Dame", authors=["V. Hugo"]).contributions.first().author
    html = admin_client.get(f"/authors/{hugo.pk}/").content.decode()
    assert "Author number" not in html and 'type="number"' not in html
    assert 'data-picker-source="authors"' in html and f'data-picker-exclude="{hugo.pk}"' in html


def test_authors_api_finds_by_words_of_name_or_alias_ignoring_accents(admin_client):
    from search.models import AuthorAlias

    zola = make_item("Germinal", authors=["Émile Zola"]).contributions.first().author
    make_item("Emma", authors=["Jane Austen"])
    AuthorAlias.objects.create(author=zola, name="E. Zola", normalized="e zola pen")

    def names(q: str) -> list[str]:
        return [a["name"] for a in admin_client.get("/api/authors/", {"q": q}).json()["data"]["items"]]

    assert names("emile") == ["Émile Zola"]
    assert names("ZOLA émile") == ["Émile Zola"]
    assert names("pen") == ["Émile Zola"]  # an alias
    assert names("") == ["Jane Austen", "Émile Zola"]  # no text: every author by sort name
    assert names("nobody") == []
