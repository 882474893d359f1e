"""Test settings: the real settings module, with a throw-away data directory and
Dramatiq's stub broker. DATABASE_URL (PostgreSQL) is honoured when set."""

import os
import tempfile

os.environ.setdefault("OMNI_DATA_DIR", tempfile.mkdtemp(prefix="omni-test-"))
os.environ["OMNI_QUEUE"] = "stub"

from omnireadarr.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast user creation in tests
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
