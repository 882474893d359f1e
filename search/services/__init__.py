"""Services of the metadata app: the only code here that writes to the database.

Entry points for other apps:
- `record_candidates(item, source_name, values, confidences)` — a scanner/importer hands
  over what it extracted (per-field confidences); the item's fields are re-merged.
- `queue_enrichment(item_ids)` — enrich/identify items in the background.
- `identify_item(item_id)` — identify now (strong match applied, else review queue).
- `revert_run(run_id)` — undo what one automatic identification run applied.
"""

from search.services.candidates import (
    lock_field,
    record_candidates,
    resolve_item,
    revert_change,
    set_manual_value,
)
from search.services.enrich import enrich_items, queue_enrichment
from search.services.identify import accept_review, identify_item, keep_embedded
from search.services.runs import revert_run

__all__ = [
    "accept_review",
    "enrich_items",
    "identify_item",
    "keep_embedded",
    "lock_field",
    "queue_enrichment",
    "record_candidates",
    "resolve_item",
    "revert_change",
    "revert_run",
    "set_manual_value",
]
