#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnireadarr.settings")
    if sys.argv[1:2] == ["serve"]:  # a warm start needs not set Django's apps up (core/warm_start.py)
        from core.warm_start import start_if_unchanged

        start_if_unchanged(sys.argv[2:])  # returns only when Django's serve has work to do
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
