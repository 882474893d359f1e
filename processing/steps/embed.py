"""Embed: when the settings ask for it, the EPUB filed in the library is a NEW copy carrying
the final metadata (title, authors, identifiers, series, language, description) written into
its package document. The downloaded file is only read; it stays where it was."""

from __future__ import annotations

from processing.context import BaseStep, ImportContext
from processing.epub_write import write_epub_metadata
from processing.steps.locate import LocatedFile
from processing.steps.sidecars import opf_for


class EmbedStep(BaseStep):
    name = "embed"

    def applies(self, ctx: ImportContext) -> bool:
        return (
            ctx.item.kind == "ebook"
            and ctx.options.write_epub_metadata
            and any(f.format == "epub" for f, _ in ctx.to_place)
        )

    def run(self, ctx: ImportContext) -> dict:
        meta = opf_for(ctx.item, cover_href="")
        rewritten, to_place = [], []
        for located, role in ctx.to_place:
            if located.format != "epub":
                to_place.append((located, role))
                continue
            output = ctx.work_dir / f"metadata-{len(rewritten) + 1}.epub"
            write_epub_metadata(located.path, output, meta)
            to_place.append((LocatedFile(output, "epub", output.stat().st_size), "converted"))
            rewritten.append({"from": str(located.path), "role": role})
        ctx.to_place = to_place
        return {"rewritten": rewritten, "title": meta.title, "authors": list(meta.authors)}
