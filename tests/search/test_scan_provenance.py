"""Provenance from the first scan: every value a scan reads shows its source and confidence on
the item page and in the metadata API at once, before any enrichment runs."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from core.models import Job, JobState
from media.models import MediaItem
from scanning.models import ScanFolder
from scanning.services import FolderInput, save_folder, scan_folder
from search.models import FieldCandidate, PendingScanValues, ResolvedField
from search.services.scan_provenance import record_pending
from tests.scanning import samples as s

pytestmark = pytest.mark.django_db

OPF_FIXTURE = Path(__file__).parent.parent / "fixtures" / "opf" / "calibre_metadata_opf2_lazylibrarian_testdata.opf"
DUNE = s.Book("Dune", authors=(("Frank Herbert", "Herbert, Frank"),), isbn="9780441172719", series="Dune",
              series_index="1", uuid="00000000-0000-4000-8000-00000000d1e0")


def _scan(root: Path, content_type: str = "mixed") -> ScanFolder:
    folder = save_folder(FolderInput(path=str(root), content_type=content_type))
    scan_folder(folder.pk)
    return folder


def _shown_fields(client, item: MediaItem) -> dict[str, dict]:
    reply = client.get(f"/api/media/{item.pk}/metadata")
    assert reply.status_code == 200
    return {f["field"]: f for f in reply.json()["data"]["fields"]}


def _sources(client, item: MediaItem) -> dict[str, str]:
    fields = _shown_fields(client, item)
    for name, row in fields.items():
        assert row["source"] and row["confidence"], f"{name} of {item.title} has no source or confidence"
    return {name: row["source"] for name, row in fields.items()}


def test_every_scanned_value_shows_its_source_and_confidence_at_once(tmp_path, reader_client):
    library = tmp_path / "library"
    s.make_epub(library / "Frank Herbert" / "Dune" / "Dune.epub", DUNE)
    sidecar_dir = library / "Author" / "Book"
    s.make_epub(sidecar_dir / "book.epub", s.Book("Wrong Title", authors=(("Nobody", "Nobody"),),
                                                  uuid="00000000-0000-4000-8000-0000000000b2"))
    (sidecar_dir / "metadata.opf").write_bytes(OPF_FIXTURE.read_bytes())
    s.make_cbz(library / "Comics" / "Watchmen 001.cbz", s.comicinfo("Watchmen", "1", volume="1986"))
    s.make_mp3(library / "Audio" / "Tolkien" / "The Hobbit" / "01.mp3",
               tags={"album": "The Hobbit", "artist": "J.R.R. Tolkien", "composer": "Andy Serkis"})
    _scan(library)

    dune = _sources(reader_client, MediaItem.objects.get(title="Dune"))
    assert {dune[f] for f in ("title", "authors", "isbn13", "series", "publisher", "language")} == {"embedded_epub"}
    sidecar = _sources(reader_client, MediaItem.objects.get(title="Test Title"))
    assert sidecar["title"] == sidecar["authors"] == sidecar["isbn13"] == "opf"  # the sidecar beat the EPUB
    comic = _sources(reader_client, MediaItem.objects.get(kind="comic"))
    assert comic["series"] == comic["issue_number"] == "comicinfo"
    hobbit = _sources(reader_client, MediaItem.objects.get(title="The Hobbit"))
    assert hobbit["title"] == hobbit["narrators"] == hobbit["duration_seconds"] == "embedded_audio"


def test_values_only_the_file_name_gives_are_credited_to_the_file_name(tmp_path, reader_client):
    library = tmp_path / "library"
    s.make_pdf(library / "Ursula K. Le Guin" / "The Dispossessed.pdf", title="", author="")
    _scan(library, "ebooks")
    item = MediaItem.objects.get()
    sources = _sources(reader_client, item)
    assert sources["title"] == "filename" and item.title == "The Dispossessed"
    shown = _shown_fields(reader_client, item)
    assert shown["title"]["source_label"] == "File name" and shown["page_count"]["source"] == "embedded_pdf"


def test_the_item_page_fills_the_source_and_confidence_columns_after_a_scan(tmp_path, reader_client):
    library = tmp_path / "library"
    s.make_epub(library / "Frank Herbert" / "Dune" / "Dune.epub", DUNE)
    _scan(library)
    dune = MediaItem.objects.get(title="Dune")
    page = reader_client.get(f"/library/{dune.pk}/").content.decode()
    row = page.split('data-prov="title"', 1)[1].split("</details>", 1)[0]  # the title's provenance popover
    assert "EPUB metadata" in row and "0.9" in row


def test_a_further_format_adds_its_own_candidates_without_taking_credit_for_known_values(tmp_path):
    library = tmp_path / "library"
    s.make_epub(library / "Frank Herbert" / "Dune" / "Dune.epub", DUNE)
    folder = _scan(library)
    dune = MediaItem.objects.get(title="Dune")
    s.make_pdf(library / "Frank Herbert" / "Dune" / "Dune.pdf", title="Dune", author="Frank Herbert")
    scan_folder(folder.pk)
    record_pending()  # the job queued after a scan
    assert MediaItem.objects.count() == 1
    resolved = {r.field: r.source.name for r in ResolvedField.objects.filter(item=dune)}
    assert resolved["title"] == "embedded_epub" and resolved["page_count"] == "embedded_pdf"  # the PDF filled it
    assert FieldCandidate.objects.filter(item=dune, field="title", source__name="embedded_pdf").exists()


def test_a_rescan_changes_no_provenance(tmp_path):
    library = tmp_path / "library"
    s.make_epub(library / "Frank Herbert" / "Dune" / "Dune.epub", DUNE)
    folder = _scan(library)
    record_pending()
    before = list(FieldCandidate.objects.order_by("pk").values_list("pk", "field", "value"))
    scan_folder(folder.pk)
    record_pending()
    assert before and list(FieldCandidate.objects.order_by("pk").values_list("pk", "field", "value")) == before


def _finished(kind: str) -> Job:
    for _ in range(600):
        job = Job.objects.filter(kind=kind).first()
        if job is not None and job.state in (JobState.SUCCEEDED, JobState.FAILED):
            return job
        time.sleep(0.05)
    raise AssertionError(f"no finished {kind} job")


@pytest.mark.django_db(transaction=True)
def test_the_scan_job_queues_the_job_that_records_every_scanned_value(admin_client, worker, tmp_path):
    s.make_epub(tmp_path / "Frank Herbert" / "Dune" / "Dune.epub", DUNE)
    folder = admin_client.post("/api/scanning/folders", {"path": str(tmp_path)}, content_type="application/json")
    admin_client.post(f"/api/scanning/folders/{folder.json()['data']['id']}/scan")
    assert _finished("scanning.scan_folder").state == JobState.SUCCEEDED
    job = _finished("search.record_scan_provenance")
    assert job.state == JobState.SUCCEEDED and job.result == {"recorded": 1}
    assert not PendingScanValues.objects.exists()  # recorded without anyone opening the page
    resolved = {r.field: r.source.name for r in ResolvedField.objects.filter(item__title="Dune")}
    assert resolved["title"] == resolved["authors"] == resolved["isbn13"] == "embedded_epub"


def test_a_value_is_credited_to_the_source_that_gave_that_field(tmp_path, reader_client):
    """The EPUB's title names a series, the folders another: each source keeps its own."""
    library = tmp_path / "library"
    book = s.Book("Dune Messiah (Dune Chronicles #2)", authors=(("Frank Herbert", "Herbert, Frank"),),
                  uuid="00000000-0000-4000-8000-00000000d1e2")
    s.make_epub(library / "Frank Herbert" / "Dune" / "2 - Dune Messiah.epub", book)
    _scan(library)
    item = MediaItem.objects.get()
    shown = _shown_fields(reader_client, item)
    assert shown["title"]["source"] == "embedded_epub" and shown["title"]["value"] == item.title
    titles = {c["source"]: c["value"] for c in shown["title"]["candidates"]}
    assert titles == {"embedded_epub": "Dune Messiah", "filename": "Dune Messiah"}  # the file name's agrees
    assert shown["series"]["source"] == "filename" and shown["series"]["value"] == {"name": "Dune", "index": 2.0}
    assert [c["source"] for c in shown["series"]["candidates"]] == ["filename"]


# The sidecar metadata.opf and the EPUB's own OPF disagree: the sidecar's values win the scan,
# the EPUB's stay candidates of their own source.
SIDECAR = s.Book("The Left Hand of Darkness", authors=(("Ursula K. Le Guin", "Le Guin, Ursula K."),),
                 series="Hainish Cycle", series_index="4", uuid="00000000-0000-4000-8000-0000000001e1")
EMBEDDED = s.Book("Winter Planet", authors=(("Ursula Kroeber", "Kroeber, Ursula"),), series="Ekumen",
                  series_index="1", uuid="00000000-0000-4000-8000-0000000001e2")


def _book_with_a_disagreeing_sidecar(library: Path, sidecar: s.Book = SIDECAR, embedded: s.Book = EMBEDDED) -> None:
    folder = library / "Ursula K. Le Guin" / sidecar.title
    s.make_epub(folder / f"{sidecar.title}.epub", embedded)
    s.make_opf(folder / "metadata.opf", sidecar)


def _candidates(shown: dict[str, dict], field: str) -> dict[str, object]:
    return {c["source"]: c["value"] for c in shown[field]["candidates"]}


def test_values_the_sidecar_overrode_stay_candidates_of_the_epubs_own_metadata(tmp_path, reader_client):
    _book_with_a_disagreeing_sidecar(tmp_path / "library")
    _scan(tmp_path / "library", "ebooks")
    item = MediaItem.objects.get()
    assert item.title == SIDECAR.title
    shown = _shown_fields(reader_client, item)
    assert shown["title"]["source"] == "opf" and shown["title"]["value"] == SIDECAR.title
    assert _candidates(shown, "title") == {"opf": SIDECAR.title, "embedded_epub": "Winter Planet",
                                           "filename": SIDECAR.title}  # the file name agrees with the sidecar
    assert _candidates(shown, "authors") == {"opf": ["Ursula K. Le Guin"], "embedded_epub": ["Ursula Kroeber"],
                                             "filename": ["Ursula K. Le Guin"]}
    assert _candidates(shown, "series") == {"opf": {"name": "Hainish Cycle", "index": 4.0},
                                            "embedded_epub": {"name": "Ekumen", "index": 1.0}}
    assert shown["series"]["source"] == "opf"
    page = reader_client.get(f"/library/{item.pk}/").content.decode()
    row = page.split('data-prov="title"', 1)[1].split("</details>", 1)[0]  # the title's provenance popover
    assert "EPUB metadata" in row and "Winter Planet" in row and "OPF sidecar" in row
