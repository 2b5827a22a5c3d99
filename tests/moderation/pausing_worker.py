"""``manage.py`` as the kill test runs it: every bundle render pauses halfway through
publishing, with its PDF written and its ZIP not yet, writes the PDF's stored name to the
file ``WAYMARK_TEST_PAUSED_AT`` names, and waits there to be killed. Test code: the
product has no pause of its own."""

import os
import sys
import time
from pathlib import Path


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    from django.core.management import execute_from_command_line

    from moderation.bundle import jobs

    paused_at = Path(os.environ["WAYMARK_TEST_PAUSED_AT"])
    real_storage = jobs.bundle_storage

    class PausingStorage:
        def __init__(self, storage):
            self.storage = storage

        def __getattr__(self, name):
            return getattr(self.storage, name)

        def save(self, name, content):
            stored = self.storage.save(name, content)
            if name.endswith("/bundle.pdf"):
                paused_at.write_text(stored)
                time.sleep(600)  # until SIGKILL; the test gives up long before
            return stored

    jobs.bundle_storage = lambda: PausingStorage(real_storage())
    execute_from_command_line(["manage.py", *sys.argv[1:]])


if __name__ == "__main__":
    main()
