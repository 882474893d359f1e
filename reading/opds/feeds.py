"""The catalogue's feeds, built once as plain values (reading.opds.model) for both OPDS 1.2 and
2.0: what each lists comes from catalog.py, every link from `Urls` (which keeps the app's
`?apikey=` and points OPDS 1.2 feeds at OPDS 1.2 feeds, 2.0 at 2.0)."""

from __future__ import annotations

import mimetypes
from datetime import UTC, datetime
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from media.models import ContributorRole, MediaItem, MediaKind
from reading.opds import catalog
from reading.opds.auth import API_KEY_PARAM
from reading.opds.model import (
    ACQUISITION,
    FACET,
    IMAGE,
    PSE_STREAM,
    SORT_NEW,
    THUMBNAIL,
    Feed,
    Link,
    NavigationEntry,
    Paging,
    Person,
    Publication,
    SeriesRef,
)
from reading.serving import content_type_for

ATOM_NAVIGATION = "application/atom+xml;profile=opds-catalog;kind=navigation"
ATOM_ACQUISITION = "application/atom+xml;profile=opds-catalog;kind=acquisition"
OPENSEARCH = "application/opensearchdescription+xml"
OPDS2 = "application/opds+json"
KIND_TITLES = {MediaKind.EBOOK: "Ebooks", MediaKind.AUDIOBOOK: "Audiobooks", MediaKind.COMIC: "Comics"}
ID_PREFIX = "urn:omnireadarr:"


class Urls:
    """Absolute links of one request's catalogue (version 1 = OPDS 1.2, 2 = OPDS 2.0). A feed has
    hundreds of links: each route is reversed once per request and filled in after."""

    _SLOT = 987654321  # a number no id reaches, replaced by "{}" in the reversed route

    def __init__(self, request, version: int):
        self.version = version
        self.origin = request.build_absolute_uri("/").rstrip("/")
        self.apikey = request.GET.get(API_KEY_PARAM, "")
        self.navigation_type = ATOM_NAVIGATION if version == 1 else OPDS2
        self.acquisition_type = ATOM_ACQUISITION if version == 1 else OPDS2
        self._routes: dict[tuple[str, int], str] = {}

    def _path(self, name: str, args: tuple) -> str:
        route = self._routes.get((name, len(args)))
        if route is None:
            route = reverse(name, args=[self._SLOT] * len(args)).replace(str(self._SLOT), "{}")
            self._routes[(name, len(args))] = route
        return route.format(*(int(arg) for arg in args))

    def _absolute(self, path: str, query: dict | None = None) -> str:
        params = {
            key: value
            for key, value in (query or {}).items()
            if value not in ("", None) and not (key == "page" and value == 1)
        }
        if self.apikey:
            params[API_KEY_PARAM] = self.apikey
        return self.origin + path + ("?" + urlencode(params) if params else "")

    def feed(self, name: str, *args, **query) -> str:
        prefix = "opds:" if self.version == 1 else "opds:v2-"
        return self._absolute(self._path(prefix + name, args), query)

    def shared(self, name: str, *args, **query) -> str:
        return self._absolute(self._path("opds:" + name, args), query)

    def search_template(self) -> str:
        url = self.feed("search")
        return url + ("&" if "?" in url else "?") + "q={searchTerms}"

    def pse_template(self, file_id: int) -> str:
        path = self._path("opds:pse-page", (file_id, 0)).removesuffix("/0") + "/{pageNumber}"
        return self._absolute(path)


def _now() -> datetime:
    return timezone.now().replace(microsecond=0)


def _common_links(urls: Urls, self_href: str, kind_type: str) -> list[Link]:
    links = [Link(self_href, "self", kind_type), Link(urls.feed("root"), "start", urls.navigation_type, "Home")]
    if urls.version == 1:
        links.append(Link(urls.shared("opensearch"), "search", OPENSEARCH, "Search"))
    else:
        links.append(Link(urls.search_template(), "search", OPDS2, "Search", templated=True))
    return links


def _paging_links(urls: Urls, name: str, args: tuple, query: dict, page: catalog.Page) -> list[Link]:
    def at(number: int) -> str:
        return urls.feed(name, *args, **query, page=number)

    links = [Link(at(1), "first", urls.acquisition_type)]
    if page.number > 1:
        links.append(Link(at(page.number - 1), "previous", urls.acquisition_type))
    if page.has_next:
        links.append(Link(at(page.number + 1), "next", urls.acquisition_type))
    if page.last is not None:
        links.append(Link(at(page.last), "last", urls.acquisition_type))
    return links


def navigation_feed(
    urls: Urls,
    key: str,
    title: str,
    entries: list[NavigationEntry],
    *,
    name: str,
    args: tuple = (),
    page: catalog.Page | None = None,
) -> Feed:
    self_href = urls.feed(name, *args, page=page.number if page else 1)
    links = _common_links(urls, self_href, urls.navigation_type)
    if page is not None:
        links += [Link(link.href, link.rel, urls.navigation_type) for link in _paging_links(urls, name, args, {}, page)]
    paging = _paging(page) if page is not None else None
    return Feed(ID_PREFIX + key, title, _now(), "navigation", tuple(links), tuple(entries), paging=paging)


def _paging(page: catalog.Page) -> Paging:
    return Paging(page.number, page.size, page.total)


def acquisition_feed(
    urls: Urls,
    user,
    key: str,
    title: str,
    page: catalog.Page,
    *,
    name: str,
    args: tuple = (),
    query: dict | None = None,
    facets: tuple[Link, ...] = (),
) -> Feed:
    query = query or {}
    self_href = urls.feed(name, *args, **query, page=page.number)
    links = _common_links(urls, self_href, urls.acquisition_type) + _paging_links(urls, name, args, query, page)
    progress = catalog.progress_by_item(user, page.rows)
    publications = tuple(publication(urls, item, progress.get(item.pk)) for item in page.rows)
    updated = max((p.updated for p in publications), default=None) or _now()
    return Feed(
        ID_PREFIX + key,
        title,
        updated,
        "acquisition",
        tuple(links),
        publications=publications,
        facets=facets,
        paging=_paging(page),
    )


# --- publications ----------------------------------------------------------------------------


def _people(urls: Urls, item: MediaItem) -> tuple[Person, ...]:
    return tuple(
        Person(
            c.author.name,
            c.author.sort_name,
            urls.feed("author", c.author_id) if c.role == ContributorRole.AUTHOR else "",
            c.role,
        )
        for c in item.contributions.all()
    )


def _file_links(urls: Urls, item: MediaItem, progress) -> list[Link]:
    links = []
    for library_file in item.readable_files:
        links.append(
            Link(
                urls.shared("download", library_file.pk),
                ACQUISITION,
                content_type_for(f"x.{library_file.format}"),
                library_file.format.upper(),
                length=library_file.size or None,
            )
        )
    if urls.version == 1:
        links += _pse_links(urls, item, progress)
    return links


def _pse_links(urls: Urls, item: MediaItem, progress) -> list[Link]:
    links = []
    for library_file in item.readable_files:
        count = catalog.page_count(library_file)
        if not count:
            continue
        last_read = last_read_at = None
        if progress is not None and progress.file_id in (None, library_file.pk):
            page = progress.locator.get("page") if isinstance(progress.locator, dict) else None
            if isinstance(page, int) and 1 <= page <= count:
                last_read, last_read_at = page, progress.updated_at
        links.append(
            Link(
                urls.pse_template(library_file.pk),
                PSE_STREAM,
                "image/jpeg",
                f"Read {library_file.format.upper()} page by page",
                templated=True,
                pse_count=count,
                pse_last_read=last_read,
                pse_last_read_at=last_read_at,
            )
        )
    return links


def _images(urls: Urls, item: MediaItem) -> tuple[Link, ...]:
    if not item.cover_path:
        return ()
    cover_type = mimetypes.guess_type(item.cover_path)[0] or "image/jpeg"
    return (
        Link(urls.shared("cover", item.pk), IMAGE, cover_type),
        Link(urls.shared("cover-thumb", item.pk), THUMBNAIL, "image/jpeg"),
    )


def publication(urls: Urls, item: MediaItem, progress=None) -> Publication:
    series = None
    if item.series_id:
        position = float(item.series_index) if item.series_index is not None else None
        series = SeriesRef(item.series.title, position, urls.feed("series", item.series_id))
    return Publication(
        id=f"{ID_PREFIX}item:{item.pk}",
        kind=item.kind,
        title=item.title,
        sort_as=item.sort_title,
        updated=item.updated_at.astimezone(UTC).replace(microsecond=0),
        subtitle=item.subtitle,
        people=_people(urls, item),
        language=item.language,
        publisher=item.publisher,
        published=item.published or (str(item.year) if item.year else ""),
        isbn=item.isbn13,
        summary=item.description,
        categories=tuple(tag.name for tag in item.tags.all()),
        series=series,
        pages=item.page_count,
        duration=item.duration_seconds,
        links=tuple(_file_links(urls, item, progress)),
        images=_images(urls, item),
    )


# --- facets ----------------------------------------------------------------------------------

FACET_GROUPS = (("kind", "Kind"), ("language", "Language"), ("format", "Format"))


def _facet_title(group: str, value: str) -> str:
    if group == "kind":
        return KIND_TITLES.get(value, value.title())
    return value.upper() if group == "format" else value


def facet_links(urls: Urls, user, filters: catalog.Filters) -> tuple[Link, ...]:
    counts = catalog.facet_counts(user, filters)
    links: list[Link] = []
    for group, label in FACET_GROUPS:
        current = getattr(filters, group)
        every = filters.replace(**{group: ""})
        links.append(
            Link(
                urls.feed("books", **every.__dict__),
                FACET,
                urls.acquisition_type,
                "All",
                facet_group=label,
                active=not current,
            )
        )
        for value, count in sorted(counts[group].items()):
            chosen = filters.replace(**{group: value})
            links.append(
                Link(
                    urls.feed("books", **chosen.__dict__),
                    FACET,
                    urls.acquisition_type,
                    _facet_title(group, value),
                    count=count,
                    facet_group=label,
                    active=value == current,
                )
            )
    return tuple(links)


# --- the feeds -------------------------------------------------------------------------------


def _entry(
    key: str,
    title: str,
    href: str,
    link_type: str,
    summary: str = "",
    *,
    rel: str = "subsection",
    count: int | None = None,
) -> NavigationEntry:
    return NavigationEntry(ID_PREFIX + key, title, Link(href, rel, link_type, title, count=count), summary)


def root(urls: Urls, user) -> Feed:
    acq, nav = urls.acquisition_type, urls.navigation_type
    entries = [
        _entry("recent", "Recently added", urls.feed("recent"), acq, "The newest books first", rel=SORT_NEW),
        _entry("continue", "Continue reading", urls.feed("continue"), acq, "Books you have started"),
        _entry("books", "All books", urls.feed("books"), acq, "By title, with kind, language and format facets"),
        *(
            _entry(f"kind:{kind}", title, urls.feed("books", kind=kind), acq, f"All {title.lower()}")
            for kind, title in KIND_TITLES.items()
        ),
        _entry("authors", "Authors", urls.feed("authors"), nav, "Books by author"),
        _entry("series", "Series", urls.feed("series-list"), nav, "Books by series"),
        _entry("shelves", "Shelves", urls.feed("shelves"), nav, "Your shelves"),
    ]
    return navigation_feed(urls, "opds:root", "OmniReadarr", entries, name="root")


def authors(urls: Urls, user, number: int) -> Feed:
    page = catalog.authors(user, number)
    entries = [
        _entry(
            f"author:{author.pk}",
            author.name,
            urls.feed("author", author.pk),
            urls.acquisition_type,
            f"{count} book{'s' if count != 1 else ''}",
            count=count,
        )
        for author, count in page.rows
    ]
    return navigation_feed(urls, "opds:authors", "Authors", entries, name="authors", page=page)


def series_list(urls: Urls, user, number: int) -> Feed:
    page = catalog.series_list(user, number)
    entries = [
        _entry(
            f"series:{series.pk}",
            series.title,
            urls.feed("series", series.pk),
            urls.acquisition_type,
            f"{count} book{'s' if count != 1 else ''}",
            count=count,
        )
        for series, count in page.rows
    ]
    return navigation_feed(urls, "opds:series", "Series", entries, name="series-list", page=page)


def shelves(urls: Urls, user) -> Feed:
    entries = [
        _entry(
            f"shelf:{shelf.pk}",
            shelf.name,
            urls.feed("shelf", shelf.pk),
            urls.acquisition_type,
            "Smart shelf: " + shelf.query if shelf.is_smart else "Shelf",
        )
        for shelf in catalog.shelves(user)
    ]
    return navigation_feed(urls, "opds:shelves", "Shelves", entries, name="shelves")


def books(urls: Urls, user, filters: catalog.Filters, number: int) -> Feed:
    page = catalog.books(user, filters, number)
    title = " · ".join(
        filter(None, [KIND_TITLES.get(filters.kind, "All books"), filters.language, filters.format.upper()])
    )
    return acquisition_feed(
        urls,
        user,
        "opds:books",
        title,
        page,
        name="books",
        query=dict(filters.__dict__),
        facets=facet_links(urls, user, filters),
    )


def recent(urls: Urls, user, number: int) -> Feed:
    return acquisition_feed(urls, user, "opds:recent", "Recently added", catalog.recent(user, number), name="recent")


def continue_reading(urls: Urls, user, number: int) -> Feed:
    return acquisition_feed(
        urls, user, "opds:continue", "Continue reading", catalog.continue_reading(user, number), name="continue"
    )


def _one_group(urls: Urls, user, name: str, pk: int, title: str, page) -> Feed:
    """The books of one author, series or shelf: the feed's id and links carry the group's key."""
    return acquisition_feed(urls, user, f"{name}:{pk}", title, page, name=name, args=(pk,))


def author(urls: Urls, user, author, number: int) -> Feed:
    return _one_group(urls, user, "author", author.pk, author.name, catalog.by_author(user, author.pk, number))


def series(urls: Urls, user, series, number: int) -> Feed:
    return _one_group(urls, user, "series", series.pk, series.title, catalog.by_series(user, series.pk, number))


def shelf(urls: Urls, user, shelf, number: int) -> Feed:
    return _one_group(urls, user, "shelf", shelf.pk, shelf.name, catalog.shelf_items(user, shelf, number))


def search(urls: Urls, user, q: str, number: int) -> Feed:
    return acquisition_feed(
        urls, user, "opds:search", f"Search: {q}", catalog.search(user, q, number), name="search", query={"q": q}
    )
