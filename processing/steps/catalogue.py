"""Catalogue: the placed files become library files of the wanted item."""

from __future__ import annotations

from pathlib import Path

from processing import catalogue
from processing.context import BaseStep, ImportContext


class CatalogueStep(BaseStep):
    name = "catalogue"

    def applies(self, ctx: ImportContext) -> bool:
        return bool(ctx.placed)

    def run(self, ctx: ImportContext) -> dict:
        cover = Path(ctx.sidecars["cover"]) if ctx.sidecars.get("cover") else None
        ctx.catalogue = catalogue.record_files(
            ctx.item.id, ctx.placed, run_id=ctx.run_id, cover=cover, recycled=ctx.recycled
        )
        return dict(ctx.catalogue)
