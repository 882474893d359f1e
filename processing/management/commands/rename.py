from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from processing.renaming import journal, undo


class Command(BaseCommand):
    help = (
        "Rename batches from the command line: `execute ID`, `revert ID [--item N]`, "
        "`recover [--rollback] [--stale-seconds S]` (settle batches a crash interrupted)."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["execute", "revert", "recover"])
        parser.add_argument("batch_id", nargs="?", type=int)
        parser.add_argument("--item", type=int, default=None)
        parser.add_argument("--rollback", action="store_true", help="recover: roll back instead of finishing")
        parser.add_argument("--stale-seconds", type=int, default=journal.STALE_SECONDS)

    def handle(
        self,
        *args,
        action: str,
        batch_id: int | None,
        item: int | None,
        rollback: bool,
        stale_seconds: int,
        **options,
    ):
        if action == "recover":
            result = undo.recover_interrupted(rollback=rollback, stale_seconds=stale_seconds)
        elif batch_id is None:
            self.stderr.write("A batch id is needed")
            return
        elif action == "execute":
            result = journal.execute_batch(batch_id)
        else:
            result = undo.revert_batch(batch_id, item_id=item)
        self.stdout.write(json.dumps(result, default=str))
