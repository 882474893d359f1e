"""Identify: is the downloaded book the wanted one? A distance in [0, 1] made of named
penalties (title, author, ISBN, issue number, series position; narrator and duration for
audiobooks when the wanted item has them) with the breakdown kept so the review queue can say why.
The title comparison and name distances are the metadata identification's (`search.matching`):
a title conflict or another series position sends the download to review; the same ISBN still
wins over an odd file title, but not over a sequel's title (more words, another number, an
omnibus). The threshold is the importer's."""

from __future__ import annotations

from processing.context import BaseStep, ImportContext, StopImport
from processing.types import ExtractedMetadata, MatchResult, WantedItem
from search.matching.distance import names_penalty
from search.matching.titles import TitleComparison, compare_titles
from search.normalise import read_number

WEIGHTS = {"title": 0.5, "author": 0.3, "isbn": 0.4, "issue": 0.3, "narrator": 0.2, "duration": 0.3,
           "series_index": 0.4}
DURATION_SAME = 0.03  # within 3 %: the same recording
DURATION_OTHER = 0.25  # 25 % or more apart: another edition (abridged?), never filed automatically
# A penalty at or over these limits sends the download to review whatever the rest says:
# another issue, another edition (length), another recording (a different narrator).
BLOCKING = {"issue": 1.0, "duration": 1.0, "narrator": 0.5, "series_index": 1.0}


def compare_title(found: str, wanted: str, *, alternatives: tuple[str, ...] = ()) -> TitleComparison:
    """The metadata identification's title comparison, the most favourable over the wanted title
    and its alternatives (a comic's series name)."""
    candidates = sorted({wanted, *alternatives} - {""})
    results = [compare_titles(found, c) for c in candidates] or [TitleComparison(1.0, ("no wanted title",))]
    return min(results, key=lambda r: (len(r.conflicts), r.penalty))


def title_penalty(found: str, wanted: str, *, alternatives: tuple[str, ...] = ()) -> float:
    return round(compare_title(found, wanted, alternatives=alternatives).penalty, 3)


def series_index_penalty(found: str, wanted: str) -> float | None:
    """1 when both name a series position and they differ (Dune #2 is not Dune #1)."""
    a, b = read_number(found) if found else None, read_number(wanted) if wanted else None
    return None if a is None or b is None else (0.0 if a == b else 1.0)


def _best_name_penalty(found: tuple[str, ...], wanted: tuple[str, ...]) -> float:
    """Best pair: one matching author (or narrator) is enough for a download's file."""
    return round(min(names_penalty((w,), (f,)) for f in found for w in wanted), 3)


def author_penalty(found: tuple[str, ...], wanted: tuple[str, ...]) -> float:
    if not found or not wanted:
        return 0.5  # unknown: neither for nor against
    return _best_name_penalty(found, wanted)


def narrator_penalty(found: tuple[str, ...], wanted: tuple[str, ...]) -> float:
    """1 - best similarity of any found narrator to any wanted one."""
    return _best_name_penalty(found, wanted)


def duration_penalty(found: float, wanted: float) -> float:
    """0 within DURATION_SAME of the wanted length, 1 at DURATION_OTHER or more, linear between."""
    if wanted <= 0:
        return 0.0
    gap = abs(found - wanted) / wanted
    scaled = (gap - DURATION_SAME) / (DURATION_OTHER - DURATION_SAME)
    return round(min(1.0, max(0.0, scaled)), 3)


def _clock(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def _audio_penalties(found: ExtractedMetadata, wanted: WantedItem) -> tuple[dict[str, float], list[str]]:
    """Narrator and duration, each only when both sides know it."""
    penalties: dict[str, float] = {}
    notes: list[str] = []
    if wanted.kind != "audiobook":
        return penalties, notes
    if found.narrators and wanted.narrators:
        penalties["narrator"] = narrator_penalty(found.narrators, wanted.narrators)
        if penalties["narrator"] >= 0.5:
            notes.append(f"read by {', '.join(found.narrators)}, not {', '.join(wanted.narrators)}")
    if found.duration_seconds and wanted.duration_seconds:
        penalties["duration"] = duration_penalty(found.duration_seconds, float(wanted.duration_seconds))
        if penalties["duration"] > 0:
            notes.append(
                f"lasts {_clock(found.duration_seconds)}, the wanted edition {_clock(wanted.duration_seconds)}"
            )
    return penalties, notes


def match_item(found: ExtractedMetadata, wanted: WantedItem, *, threshold: float) -> MatchResult:
    """Weighted distance between what the file says and the wanted item (0 = same)."""
    penalties: dict[str, float] = {}
    alternatives = (wanted.series,) if wanted.kind == "comic" and wanted.series else ()
    title = compare_title(found.title, wanted.title, alternatives=alternatives) if found.title else None
    penalties["title"] = round(title.penalty, 3) if title else 0.6
    penalties["author"] = author_penalty(found.authors, wanted.authors)
    index = series_index_penalty(found.series_index, wanted.series_index) if wanted.kind != "comic" else None
    if index is not None:
        penalties["series_index"] = index
    isbn_same = bool(found.isbn13 and wanted.isbn13 and found.isbn13 == wanted.isbn13)
    if found.isbn13 and wanted.isbn13:
        penalties["isbn"] = 0.0 if isbn_same else 1.0
    if wanted.kind == "comic" and found.issue_number and wanted.issue_number:
        same_issue = found.issue_number.lstrip("0") == wanted.issue_number.lstrip("0")
        penalties["issue"] = 0.0 if same_issue else 1.0
    audio, notes = _audio_penalties(found, wanted)
    penalties.update(audio)
    total = sum(WEIGHTS[k] for k in penalties)
    distance = round(sum(WEIGHTS[k] * v for k, v in penalties.items()) / total, 3)
    reasons = [f"{name} differs ({value:.2f})" for name, value in penalties.items() if value >= 0.5]
    reasons += notes + [f"title: {c}" for c in (title.conflicts if title else ())]
    blocked = bool(title and title.conflicts) or any(penalties.get(name, 0.0) >= limit
                                                     for name, limit in BLOCKING.items())
    # the same ISBN outweighs a file's odd title ("Earthsea 1 (Retail)"), not a sequel's or an omnibus's
    accepted = (isbn_same and not (title and title.sequel_risk)) or (distance <= threshold and not blocked)
    if isbn_same:
        reasons.insert(0, "same ISBN")
    return MatchResult(distance, accepted, penalties, tuple(reasons))


class IdentifyStep(BaseStep):
    name = "identify"

    def run(self, ctx: ImportContext) -> dict:
        if ctx.extracted is None:
            raise RuntimeError("extract step has not run")
        ctx.match = match_item(ctx.extracted, ctx.item, threshold=ctx.options.match_threshold)
        detail = {
            "distance": ctx.match.distance,
            "accepted": ctx.match.accepted,
            "breakdown": ctx.match.breakdown,
            "reasons": list(ctx.match.reasons),
        }
        if not ctx.match.accepted and not ctx.options.accept_mismatch:
            found = ctx.extracted
            raise StopImport(
                "needs_review",
                f"The download looks like {found.title!r} by {', '.join(found.authors) or '?'}, "
                f"not the wanted {ctx.item.title!r} (distance {ctx.match.distance:.2f}"
                + (f": {'; '.join(ctx.match.reasons)})" if ctx.match.reasons else ")"),
                details=detail,
            )
        if not ctx.match.accepted:
            detail["accepted_by_user"] = True
        return detail
