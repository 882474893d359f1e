"""Repack: a CBR comic becomes a CBZ (stored zip, pages in natural order, ComicInfo.xml
kept) in the run's work directory, when the settings ask for it. It runs before extract so
identification reads the comic's ComicInfo.xml; the original CBR is filed too when the
keep-original setting says so. The download itself is only read."""

from __future__ import annotations

from dataclasses import replace

from processing.comics import repack_cbr
from processing.context import BaseStep, ImportContext
from processing.steps.locate import LocatedFile


class RepackStep(BaseStep):
    name = "repack"

    def applies(self, ctx: ImportContext) -> bool:
        located = ctx.require_located()
        return ctx.item.kind == "comic" and ctx.options.repack_cbr and located.primary.format == "cbr"

    def run(self, ctx: ImportContext) -> dict:
        located = ctx.require_located()
        source = located.primary
        output = ctx.work_dir / f"{source.path.stem}.cbz"
        result = repack_cbr(source.path, output)
        cbz = LocatedFile(result.output, "cbz", result.output.stat().st_size)
        ctx.located = replace(located, files=(cbz,))
        originals = [(source, "original")] if ctx.options.keep_original_format else []
        ctx.to_place = [(cbz, "converted"), *originals]
        return {
            "from": str(source.path),
            "pages": result.pages,
            "comicinfo": result.comicinfo,
            "bytes": result.total_bytes,
            "tool": result.tool,
            "solid": result.solid,
            "dropped": list(result.dropped),
            "kept_original": ctx.options.keep_original_format,
        }
