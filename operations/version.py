"""The running version, for backup manifests."""

from __future__ import annotations

import functools
import tomllib
from importlib import metadata

from django.conf import settings


@functools.cache
def app_version() -> str:
    try:
        return metadata.version("omnireadarr")
    except metadata.PackageNotFoundError:  # run from a checkout: the version pyproject.toml gives
        with (settings.BASE_DIR / "pyproject.toml").open("rb") as handle:
            return str(tomllib.load(handle)["project"]["version"])
