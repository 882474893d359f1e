"""Searching indexers for a media item (query plan, dedupe, blacklist, scoring, storage),
indexer tests and the blacklist. Media status is NOT changed here: the acquisition
status service (`downloaders.status`) owns it."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from core import metrics
from core.errors import (
    ConfigurationError,
    Conflict,
    InvalidInput,
    NotFound,
    OmniError,
    ServiceUnavailable,
    user_message,
)
from core.isbn import to_isbn13
from core.wizard.registry import failure_message
from indexers import learning, profiles
from indexers.clients.base import BOOK_CATEGORIES, BookTerms, IndexerSettings, Release, SearchRequest
from indexers.clients.registry import client_for
from indexers.models import (
    AcquisitionSettings,
    BlacklistEntry,
    BlacklistReason,
    IndexerConfig,
    IndexerKind,
    ItemSearchState,
    SearchResult,
)
from indexers.releases import parse_release
from indexers.scoring import ScoringPrefs, WantedBook, score_release
from media.models import ContributorRole, MediaItem

logger = logging.getLogger(__name__)
MAX_RESULTS = 50


@dataclass
class SearchOutcome:
    item_id: int
    results: list[SearchResult] = field(default_factory=list)
    queries: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    found: int = 0
    duplicates: int = 0
    blacklisted: int = 0

    @property
    def accepted(self) -> list[SearchResult]:
        return [r for r in self.results if r.accepted]

    @property
    def best(self) -> SearchResult | None:
        return self.accepted[0] if self.accepted else None


def wanted_from_item(item: MediaItem) -> WantedBook:
    authors = tuple(
        c.author.name
        for c in item.contributions.select_related("author").all()
        if c.role in (ContributorRole.AUTHOR, ContributorRole.WRITER)
    )
    index = "" if item.series_index is None else f"{item.series_index.normalize():f}"
    number = item.issue_number if item.kind == "comic" else index
    return WantedBook(
        kind=item.kind,
        title=item.title,
        authors=authors,
        series_index=number or "",
        isbn13=item.isbn13,
        year=item.year,
    )


def query_plan(wanted: WantedBook) -> list[SearchRequest]:
    """ISBN, "Title Author", "Author Title", "Title": in that order, duplicates dropped."""
    categories = BOOK_CATEGORIES.get(wanted.kind, BOOK_CATEGORIES["ebook"])
    author = wanted.authors[0] if wanted.authors else ""
    plan: list[SearchRequest] = []
    isbn = to_isbn13(wanted.isbn13 or "")
    if isbn:
        plan.append(SearchRequest(isbn, categories, label="isbn"))
    if author:
        plan.append(
            SearchRequest(
                f"{wanted.title} {author}", categories, BookTerms(wanted.title, author), label="title_author"
            )
        )
        plan.append(SearchRequest(f"{author} {wanted.title}", categories, label="author_title"))
    plan.append(SearchRequest(wanted.title, categories, label="title"))
    seen: set[str] = set()
    return [r for r in plan if not (r.text.casefold() in seen or seen.add(r.text.casefold()))]


def enabled_indexers() -> list[IndexerConfig]:
    configs = list(IndexerConfig.objects.filter(enabled=True).order_by("priority", "name"))
    if not configs:
        raise ConfigurationError(
            "No indexer is configured or enabled.",
            hint="Add Prowlarr (or a Newznab/Torznab indexer) in the admin: Indexer configs.",
        )
    return configs


def search_releases(item_id: int, *, torrent_client_available: bool = False) -> SearchOutcome:
    """Run the query plan over every enabled indexer (priority order), stopping after the
    first query that yields an acceptable release; store and return up to 50 scored results.
    Torrents are acceptable only when the caller has a torrent client to send them to."""
    item = MediaItem.objects.filter(pk=item_id).first()
    if item is None:
        raise NotFound(f"Media item {item_id} does not exist")
    configs = enabled_indexers()
    wanted = wanted_from_item(item)
    rules, beat = profiles.scoring_inputs(item)
    prefs = ScoringPrefs(
        formats=rules.qualities,
        torrent_client_available=torrent_client_available,
        min_score=rules.min_score,
        beat=beat,
    )
    outcome = SearchOutcome(item_id=item.pk)
    releases: dict[str, tuple[Release, SearchRequest]] = {}
    scored: list = []
    for round_ in _rounds(query_plan(wanted), configs):
        for config, request in round_:
            if request.text not in outcome.queries:
                outcome.queries.append(request.text)
            _run_query(request, [config], releases, outcome)
        scored = _score_all(wanted, prefs, _without_blacklisted(releases, outcome))
        if any(s[1].accepted for s in scored):
            break
    if not releases and outcome.errors and len(outcome.errors) >= len(configs):
        _record_state(item, outcome, error=" ".join(outcome.errors.values()))  # each names its indexer
        raise ServiceUnavailable(
            f"Every indexer failed for {item.title!r}",
            hint="See the indexer errors; check Prowlarr.",
            details=outcome.errors,
        )
    outcome.results = _store(item, scored)
    _record_state(item, outcome)
    return outcome


def _rounds(plan: list[SearchRequest], configs: list[IndexerConfig]) -> list[list[tuple[IndexerConfig, SearchRequest]]]:
    """Round k asks every indexer (priority order) its k-th query form, in the order that
    indexer learned or was given (indexers.learning); the search stops after the first
    round with an acceptable release. With no history every indexer asks ISBN, title +
    author, author + title, title, as before."""
    orders = learning.query_orders(configs)
    plans = [(config, learning.ordered_plan(plan, orders[config.pk])) for config in configs]
    depth = max((len(p) for _, p in plans), default=0)
    return [[(config, p[k]) for config, p in plans if k < len(p)] for k in range(depth)]


def _run_query(
    request: SearchRequest, configs: list[IndexerConfig], releases: dict, outcome: SearchOutcome
) -> None:
    for config in configs:
        client = client_for(config.kind, config.to_settings())
        try:
            found = client.search(request)
        except OmniError as exc:
            logger.warning("Indexer %s failed for %r: %s", config.name, request.text, exc)
            outcome.errors[config.name] = user_message(exc, config.name)
            continue
        finally:
            close = getattr(client, "close", None)
            if close:
                close()
        outcome.errors.pop(config.name, None)
        for release in found:
            outcome.found += 1
            keys = [f"guid:{release.guid}"] + ([f"hash:{release.info_hash}"] if release.info_hash else [])
            if any(k in releases for k in keys):
                outcome.duplicates += 1
                continue
            for key in keys:
                releases[key] = (release, request)


def _without_blacklisted(releases: dict, outcome: SearchOutcome) -> list[tuple[Release, SearchRequest]]:
    unique = list({id(r): (r, q) for r, q in releases.values()}.values())
    guids = {r.guid for r, _ in unique}
    hashes = {r.info_hash for r, _ in unique if r.info_hash}
    titles = {r.title for r, _ in unique}
    entries = (
        BlacklistEntry.objects.active()
        .filter(Q(guid__in=guids) | Q(info_hash__in=hashes) | Q(title__in=titles))
        .values_list("guid", "info_hash", "title", "size")
    )
    bad_guids = {e[0] for e in entries if e[0]}
    bad_hashes = {e[1] for e in entries if e[1]}
    bad_title_sizes = {(e[2], e[3]) for e in entries}
    kept = [
        (r, q)
        for r, q in unique
        if r.guid not in bad_guids
        and (not r.info_hash or r.info_hash not in bad_hashes)
        and (r.title, r.size) not in bad_title_sizes
    ]
    outcome.blacklisted = len(unique) - len(kept)
    return kept


def _score_all(
    wanted: WantedBook, prefs: ScoringPrefs, releases: list[tuple[Release, SearchRequest]]
) -> list:
    scored = []
    for release, request in releases:
        parsed = parse_release(release.title)
        scored.append((release, score_release(wanted, release, parsed, prefs), parsed, request))
    scored.sort(key=lambda s: (not s[1].accepted, -s[1].total, s[0].title))
    metrics.search_scored((score.total, score.accepted) for _, score, _, _ in scored)
    return scored[:MAX_RESULTS]


@transaction.atomic
def _store(item: MediaItem, scored: list) -> list[SearchResult]:
    SearchResult.objects.filter(item=item).delete()
    now = timezone.now()
    configs = set(IndexerConfig.objects.values_list("pk", flat=True))
    rows = [
        SearchResult(
            item=item,
            searched_at=now,
            rank=rank,
            query_label=request.label,
            query_text=request.text[:500],
            indexer_config_id=r.source_config_id if r.source_config_id in configs else None,
            indexer=r.indexer[:200],
            indexer_id=r.indexer_id,
            guid=r.guid[:1000],
            info_hash=r.info_hash,
            title=r.title[:1000],
            protocol=r.protocol,
            download_url=r.download_url,
            magnet_url=r.magnet_url,
            info_url=r.info_url,
            size=r.size,
            publish_date=r.publish_date,
            age_days=r.age_days,
            seeders=r.seeders,
            leechers=r.leechers,
            grabs=r.grabs,
            categories=list(r.categories),
            parsed=parsed.as_dict(),
            score=score.total,
            breakdown=score.breakdown(),
            rejections=list(score.rejections),
            accepted=score.accepted,
        )
        for rank, (r, score, parsed, request) in enumerate(scored)
    ]
    return SearchResult.objects.bulk_create(rows)


def _record_state(item: MediaItem, outcome: SearchOutcome, *, error: str = "") -> None:
    settings = AcquisitionSettings.current()
    now = timezone.now()
    accepted = outcome.accepted
    stagger = timedelta(minutes=(item.pk * 7) % 60)  # spreads items over the hour after the interval
    ItemSearchState.objects.update_or_create(
        item=item,
        defaults={
            "last_search_at": now,
            "next_search_at": now + timedelta(hours=settings.search_interval_hours) + stagger,
            "last_result_count": len(outcome.results),
            "last_accepted_count": len(accepted),
            "last_best_score": accepted[0].score if accepted else None,
            "last_error": error[:4000],
        },
    )
    ItemSearchState.objects.filter(item=item).update(searches=F("searches") + 1)


# --- Indexer configuration ------------------------------------------------------------------
def check_connection(kind: str, settings: IndexerSettings) -> dict:
    """Status and indexer list through the real client. A failure is an answer (ok false, the
    cause in words and the fix), never raised: the test ran, the indexer did not pass it."""
    client = client_for(kind, settings)
    try:
        info = client.test_connection()
        indexers = client.indexers()
    except OmniError as exc:
        failed = failure_message(IndexerKind(kind).label.split(" (")[0], exc)
        return {"ok": False, "level": failed.level, "name": "", "version": "", "message": failed.text,
                "hint": failed.hint, "indexers": []}
    finally:
        client.close()
    return {
        "ok": True,
        "level": "ok",
        "hint": "",
        "name": info.name,
        "version": info.version,
        "message": f"{info.name} {info.version}: {len(indexers)} indexer(s)".strip(),
        "indexers": [
            {
                "id": i.id,
                "name": i.name,
                "protocol": i.protocol,
                "enabled": i.enabled,
                "book_search_params": list(i.book_search_params),
                "categories": list(i.categories)[:50],
            }
            for i in indexers
        ],
    }


def test_indexer(config_id: int) -> dict:
    """Test a stored connection and record the outcome on it."""
    config = IndexerConfig.objects.filter(pk=config_id).first()
    if config is None:
        raise NotFound(f"Indexer config {config_id} does not exist")
    result = check_connection(config.kind, config.to_settings())
    IndexerConfig.objects.filter(pk=config.pk).update(
        last_test_at=timezone.now(), last_test_ok=result["ok"], last_test_message=result["message"][:500]
    )
    return result


# --- Blacklist ------------------------------------------------------------------------------
def add_to_blacklist(
    *,
    title: str,
    guid: str = "",
    info_hash: str = "",
    indexer: str = "",
    size: int = 0,
    protocol: str = "",
    item_id: int | None = None,
    reason: str = BlacklistReason.MANUAL,
    details: str = "",
    expires_in_days: int | None = None,
    user=None,
) -> BlacklistEntry:
    if not title.strip() or not (guid or info_hash or title):
        raise InvalidInput("A blacklist entry needs at least a release title")
    if reason not in BlacklistReason.values:
        raise InvalidInput(f"Unknown blacklist reason {reason!r}", hint=", ".join(BlacklistReason.values))
    if item_id is not None and not MediaItem.objects.filter(pk=item_id).exists():
        raise NotFound(f"Media item #{item_id} does not exist", hint="media_id must name an item of the library")
    existing = BlacklistEntry.objects.active().filter(guid=guid, title=title).first() if guid else None
    if existing:
        return existing
    expires = timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None
    entry = BlacklistEntry.objects.create(
        item_id=item_id,
        title=title[:1000],
        guid=guid[:1000],
        info_hash=info_hash.lower()[:64],
        indexer=indexer[:200],
        size=size,
        protocol=protocol[:16],
        reason=reason,
        details=details,
        expires_at=expires,
        created_by=user if getattr(user, "pk", None) else None,
    )
    logger.info("Blacklisted %r (%s): %s", title, reason, details[:200])
    return entry


def remove_from_blacklist(entry_id: int, *, reason: str, user=None) -> BlacklistEntry:
    if not reason.strip():
        raise InvalidInput("Say why the release is taken off the blacklist")
    entry = BlacklistEntry.objects.filter(pk=entry_id).first()
    if entry is None:
        raise NotFound(f"Blacklist entry {entry_id} does not exist")
    if entry.removed_at is not None:
        raise Conflict(f"Blacklist entry {entry_id} was already removed")
    BlacklistEntry.objects.filter(pk=entry.pk).update(
        removed_at=timezone.now(),
        removed_reason=reason[:500],
        removed_by=user if getattr(user, "pk", None) else None,
    )
    entry.refresh_from_db()
    logger.info("Un-blacklisted %r: %s", entry.title, reason)
    return entry


def is_blacklisted(*, guid: str, info_hash: str = "") -> bool:
    query = Q(guid=guid) if guid else Q(pk__in=[])
    if info_hash:
        query |= Q(info_hash=info_hash.lower())
    return BlacklistEntry.objects.active().filter(query).exists()
