"""Convert: an ebook not in the preferred format goes through Calibre's ebook-convert in
the run's work directory; the original is filed too unless the settings drop it."""

from __future__ import annotations

from processing.context import BaseStep, ImportContext
from processing.converters.ebook_convert import ConvertConfig, ConvertMetadata, convert, find_executable
from processing.steps.locate import LocatedFile

# Page-faithful formats convert badly to reflowable ones: only converted when asked ("force").
AUTO_CONVERTIBLE = ("mobi", "azw3", "azw", "fb2", "lit", "docx", "rtf", "txt", "kepub", "epub")


def _metadata(ctx: ImportContext) -> ConvertMetadata:
    item = ctx.item
    return ConvertMetadata(
        title=item.title,
        authors=item.authors,
        author_sort=" & ".join(item.author_sorts),
        series=item.series,
        series_index=item.series_index,
        language=item.language,
        publisher=item.publisher,
        isbn=item.isbn13,
    )


class ConvertStep(BaseStep):
    name = "convert"

    def applies(self, ctx: ImportContext) -> bool:
        located = ctx.require_located()
        if ctx.item.kind != "ebook" or ctx.options.convert == "skip":
            return False
        if any(f.format == ctx.options.ebook_format for f in located.files):
            return False  # already there
        return ctx.options.convert == "force" or located.primary.format in AUTO_CONVERTIBLE

    def run(self, ctx: ImportContext) -> dict:
        source = ctx.require_located().primary
        config = ConvertConfig(ctx.options.convert_executable, ctx.options.convert_timeout_seconds)
        find_executable(config)  # a missing calibre is a configuration error, said before any work
        output = ctx.work_dir / f"converted.{ctx.options.ebook_format}"

        def report(percent: int, message: str) -> None:
            ctx.progress(percent, 100, f"Converting: {message}"[:200])

        result = convert(source.path, output, config, metadata=_metadata(ctx), progress=report)
        converted = LocatedFile(result.output, result.output_format, result.output.stat().st_size)
        originals = [(f, "original") for f, _ in ctx.to_place] if ctx.options.keep_original_format else []
        ctx.to_place = [(converted, "converted"), *originals]
        return {
            "from": source.format,
            "to": result.output_format,
            "seconds": result.seconds,
            "title": result.title,
            "kept_original": ctx.options.keep_original_format,
        }
