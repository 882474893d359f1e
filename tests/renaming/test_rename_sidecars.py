"""A rename moves a book's own sidecars with it and never another book's: `<stem>.opf` and
`<stem>.jpg` follow their book; generic `metadata.opf`/`cover.jpg` follow it when they are
its own (the folder holds only that book, or the importer wrote them for it) and are named
after the book where it lands in a folder other books share."""

from __future__ import annotations

import pytest

from processing.opf import OpfMetadata, write_opf
from processing.renaming import journal, undo
from processing.renaming.models import BatchState, ConflictPolicy
from processing.renaming.services import Selection, create_preview
from processing.steps.sidecars import UNIQUE_SCHEME
from tests.renaming.conftest import make_item, tree, write

pytestmark = pytest.mark.django_db
SHARED = "${author.sortname}/${title}.${ext}"  # an author's books side by side
OWN_FOLDER = "${author.sortname}/${title}/${title}.${ext}"


def rename(root, template, item):
    batch = create_preview(
        template=template, selection=Selection(item_ids=(item.pk,)), policy=ConflictPolicy.SKIP, root=root
    )
    assert journal.execute_batch(batch.pk)["state"] == BatchState.DONE
    return batch


def test_renaming_one_of_two_books_moves_its_named_sidecars_and_leaves_the_others(library):
    artemis = make_item(library, "Artemis", files=("flat/Artemis.epub",), author="Andy Weir")
    make_item(library, "Randomize", files=("flat/Randomize.epub",), author="Andy Weir")
    for name in ("Artemis.opf", "Artemis.jpg", "Randomize.opf", "Randomize.jpg", "metadata.opf", "cover.jpg"):
        write(library / "flat" / name, name)
    before = tree(library)
    batch = rename(library, SHARED, artemis)
    assert tree(library) == {
        "Weir, Andy/Artemis.epub",
        "Weir, Andy/Artemis.opf",
        "Weir, Andy/Artemis.jpg",
        "flat/Randomize.epub",
        "flat/Randomize.opf",
        "flat/Randomize.jpg",
        "flat/metadata.opf",  # whose? not Artemis's to take
        "flat/cover.jpg",
    }
    assert (library / "Weir, Andy/Artemis.opf").read_text() == "Artemis.opf"
    undo.revert_batch(batch.pk)
    assert tree(library) == before


def test_the_generic_sidecars_the_importer_wrote_for_a_book_go_with_it(library):
    weir = library / "Weir, Andy"
    artemis = make_item(library, "Artemis", files=("Weir, Andy/Artemis.epub",), author="Andy Weir")
    make_item(library, "Randomize", files=("Weir, Andy/Randomize.epub",), author="Andy Weir")
    write(weir / "cover.jpg", "artemis cover")  # an earlier import's layout: the first book's are generic
    write_opf(
        weir / "metadata.opf",
        OpfMetadata(title="Artemis", cover_href="cover.jpg"),
        unique_id=(UNIQUE_SCHEME, str(artemis.pk)),
    )
    write(weir / "Randomize.opf", "randomize meta")
    write(weir / "Randomize.jpg", "randomize cover")
    before = tree(library)
    batch = rename(library, OWN_FOLDER, artemis)
    assert tree(library) == {
        "Weir, Andy/Artemis/Artemis.epub",
        "Weir, Andy/Artemis/metadata.opf",  # a folder of its own: the generic names stay
        "Weir, Andy/Artemis/cover.jpg",
        "Weir, Andy/Randomize.epub",
        "Weir, Andy/Randomize.opf",
        "Weir, Andy/Randomize.jpg",
    }
    undo.revert_batch(batch.pk)
    assert tree(library) == before


def test_a_book_alone_in_its_folder_takes_its_generic_sidecars_named_after_it_into_a_shared_folder(library):
    artemis = make_item(library, "Artemis", files=("incoming/Artemis/book.epub",), author="Andy Weir")
    write(library / "incoming/Artemis/metadata.opf", "artemis meta")
    write(library / "incoming/Artemis/cover.jpg", "artemis cover")
    make_item(library, "Randomize", files=("Weir, Andy/Randomize.epub",), author="Andy Weir")
    write(library / "Weir, Andy/cover.jpg", "someone's cover")
    batch = rename(library, SHARED, artemis)
    assert tree(library) == {
        "Weir, Andy/Artemis.epub",
        "Weir, Andy/Artemis.opf",
        "Weir, Andy/Artemis.jpg",
        "Weir, Andy/Randomize.epub",
        "Weir, Andy/cover.jpg",
    }
    assert (library / "Weir, Andy/cover.jpg").read_text() == "someone's cover"  # never overwritten
    undo.revert_batch(batch.pk)
    assert (library / "incoming/Artemis/cover.jpg").read_text() == "artemis cover"
    assert (library / "incoming/Artemis/metadata.opf").read_text() == "artemis meta"
