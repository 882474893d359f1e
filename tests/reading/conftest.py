from tests.reading.library import libraries  # noqa: F401 (the reading tests' two libraries)
