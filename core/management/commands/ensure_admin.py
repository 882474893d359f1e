import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from omnireadarr.env import env_str


class Command(BaseCommand):
    help = ("Create the first admin account when there is no user yet. Username/password come from "
            "OMNI_ADMIN_USER / OMNI_ADMIN_PASSWORD, else 'admin' and a generated password saved in "
            "the data directory (initial_admin_password) and printed once.")

    def handle(self, *args, **options):
        users = get_user_model()
        if users.objects.exists():
            return
        username = env_str("ADMIN_USER", "admin")
        password = env_str("ADMIN_PASSWORD")
        generated = password is None
        if generated:
            password = secrets.token_urlsafe(12)
            secret_file = settings.DATA_DIR / "initial_admin_password"
            secret_file.write_text(f"{username}\n{password}\n", encoding="utf-8")
            secret_file.chmod(0o600)
        users.objects.create_superuser(username=username, password=password, email="")
        if generated:
            self.stdout.write(self.style.WARNING(
                f"Created admin account '{username}' with password: {password}\n"
                f"(also saved in {settings.DATA_DIR / 'initial_admin_password'}; change it after logging in)"))
        else:
            self.stdout.write(f"Created admin account '{username}'.")
