"""Renaming and organising library files by path templates: plan (preview), execute with
a write-ahead journal, undo and crash recovery. `processing.renaming.journal` holds the
small API reused by post-processing to place imported files."""
