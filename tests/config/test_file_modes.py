"""Who may read the files Waymark keeps in folders, whatever the umask it runs with: nginx
(another user) must read Wagtail's images, and nobody but Waymark's own user the learners'
evidence. The systemd units run Waymark with the umask 0027."""

import os
import stat
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages


@pytest.fixture
def umask_of_the_units():
    before = os.umask(0o027)
    yield
    os.umask(before)


def mode(path: str) -> int:
    return stat.S_IMODE(Path(path).stat().st_mode)


def test_media_in_a_folder_are_readable_by_nginx(umask_of_the_units, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    media = storages.create_storage(settings.STORAGES["default"])
    name = media.save("images/board.max-800x600.jpg", ContentFile(b"jpeg"))
    assert mode(media.path(name)) == 0o644
    assert mode(Path(media.path(name)).parent) == 0o755
    assert mode(settings.MEDIA_ROOT) == 0o755


def test_evidence_in_a_folder_is_readable_by_waymark_alone(umask_of_the_units, settings, tmp_path):
    evidence = storages.create_storage(
        {
            **settings.STORAGES["evidence"],
            "OPTIONS": {**settings.STORAGES["evidence"]["OPTIONS"], "location": tmp_path},
        }
    )
    name = evidence.save("12345/learner/board.pdf", ContentFile(b"%PDF-"))
    assert mode(evidence.path(name)) == 0o600
    assert mode(Path(evidence.path(name)).parent) == 0o700
