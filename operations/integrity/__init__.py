"""The integrity check: faults between the catalogue, the library folders, the data folder and
the journals (`checks`), stored as a report (`services`), each with one-click fixes that go
through the recycle bin or a scan, never a delete (`fixes`)."""
