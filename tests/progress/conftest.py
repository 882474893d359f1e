from tests.scanning.conftest import library, make_folder  # noqa: F401  (the scanning fixtures)
