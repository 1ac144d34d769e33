#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chihuy.settings")
    from django.core.management import execute_from_command_line

    from chihuy.core.env import EnvError

    try:
        execute_from_command_line(sys.argv)
    except EnvError as exc:
        # A misconfigured environment is the operator's to fix: say what, without a traceback.
        sys.exit(f"ChiHuy configuration error: {exc}")


if __name__ == "__main__":
    main()
