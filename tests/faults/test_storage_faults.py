"""The evidence storage failing under an upload or a download: a disk that fills up, an
object store that cannot be reached for a while. The learner is told, in words, that it
is the storage and to try again later (503, the page and what they wrote on it shown
again); no evidence record is left without its file, nor any file without its record;
and once the storage is back the same upload works.

Each storage here is a small subclass of Django's own, so the tests need neither root
(for a tiny tmpfs) nor boto3: an object store's botocore errors are stood in for by a
module of the same name and shape.
"""

import errno
import sys
import types
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.urls import reverse

from audit.models import AuditRecord
from common.scoping import centre_scope
from portfolio.models import EvidenceFile
from portfolio.services import add_evidence_files
from tests.factories import PDF_BYTES, EvidenceItemFactory, pdf_upload
from tests.helpers import stored_names


class FullDisk(FileSystemStorage):
    """A disk with no room left: a save writes the first few bytes, then fails with
    ENOSPC, as a real one does partway through a file."""

    def _save(self, name, content):
        path = Path(self.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.read()[:10])
        raise OSError(errno.ENOSPC, "No space left on device", str(path))


class FlakyStore(FileSystemStorage):
    """The evidence folder as a store across a network: while ``failure`` is set, every
    call fails with it, as an object store that cannot be reached does."""

    failure: Exception | None = None

    def _reachable(self):
        if self.failure is not None:
            raise self.failure

    def exists(self, name):
        self._reachable()
        return super().exists(name)

    def _save(self, name, content):
        self._reachable()
        return super()._save(name, content)

    def _open(self, name, mode="rb"):
        self._reachable()
        return super()._open(name, mode)

    def delete(self, name):
        self._reachable()
        return super().delete(name)


def refused_connection():
    return ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused")


def unreachable_endpoint(monkeypatch):
    """What django-storages' S3 backend raises when the endpoint cannot be reached:
    botocore's EndpointConnectionError, which is not an OSError."""
    botocore, exceptions = types.ModuleType("botocore"), types.ModuleType("botocore.exceptions")
    exceptions.BotoCoreError = type("BotoCoreError", (Exception,), {})
    exceptions.ClientError = type("ClientError", (Exception,), {})
    exceptions.EndpointConnectionError = type("EndpointConnectionError", (exceptions.BotoCoreError,), {})
    botocore.exceptions = exceptions
    monkeypatch.setitem(sys.modules, "botocore", botocore)
    monkeypatch.setitem(sys.modules, "botocore.exceptions", exceptions)
    return exceptions.EndpointConnectionError('Could not connect to the endpoint URL: "https://s3.example"')


OUTAGES = [
    pytest.param(lambda monkeypatch: refused_connection(), id="connection-refused"),
    pytest.param(unreachable_endpoint, id="s3-endpoint-unreachable"),
]


@pytest.fixture
def evidence_storage(monkeypatch):
    """``install(storage_class)``: the evidence files kept through that storage, in the
    same folder, until the test ends."""

    def install(storage_class):
        storage = storage_class(location=settings.EVIDENCE_ROOT, base_url=None)
        for field in ("file", "print_rendition"):
            monkeypatch.setattr(EvidenceFile._meta.get_field(field), "storage", storage)
        return storage

    return install


@pytest.fixture
def item(learner, centre_a):
    """The learner's item of files, with one file stored while the storage was well."""
    with centre_scope(centre_a):
        item = EvidenceItemFactory(
            learner=learner, kind="files", title="Team board", body="What the board shows, in my words."
        )
        add_evidence_files(item=item, actor=learner.user, uploads=[pdf_upload("kept.pdf")])
    return item


def upload(client, item, name="new.pdf"):
    return client.post(
        reverse("portfolio:upload", kwargs={"item_id": item.pk}),
        {"files": [pdf_upload(name, PDF_BYTES + name.encode())]},
    )


def assert_told_to_try_later_and_nothing_half_kept(response, item, centre, files_before):
    page = response.content.decode()
    assert response.status_code == 503
    assert "“new.pdf” could not be stored: Waymark’s file storage is full or unavailable just now." in page
    assert "Please try again later" in page
    # The page is the item's, as the learner left it: what they wrote, and the file kept.
    assert "Team board" in page and "What the board shows, in my words." in page and "kept.pdf" in page
    with centre_scope(centre):
        assert [f.original_name for f in EvidenceFile.objects.filter(item=item)] == ["kept.pdf"]
        assert AuditRecord.objects.filter(verb="evidence.file_added", centre=centre).count() == 1
    assert stored_names(FileSystemStorage(location=settings.EVIDENCE_ROOT)) == files_before


def test_a_full_disk_during_an_upload_says_try_again_later_and_keeps_no_part_of_the_file(
    learner_client, item, centre_a, evidence_storage
):
    before = stored_names(FileSystemStorage(location=settings.EVIDENCE_ROOT))
    evidence_storage(FullDisk)

    response = upload(learner_client, item)

    assert_told_to_try_later_and_nothing_half_kept(response, item, centre_a, before)


@pytest.mark.parametrize("outage", OUTAGES)
def test_an_unreachable_store_during_an_upload_says_try_again_later_and_the_upload_works_once_it_is_back(
    learner_client, item, centre_a, evidence_storage, monkeypatch, outage
):
    before = stored_names(FileSystemStorage(location=settings.EVIDENCE_ROOT))
    store = evidence_storage(FlakyStore)
    store.failure = outage(monkeypatch)

    response = upload(learner_client, item)

    assert_told_to_try_later_and_nothing_half_kept(response, item, centre_a, before)
    store.failure = None
    assert upload(learner_client, item).status_code == 302
    with centre_scope(centre_a):
        assert sorted(f.original_name for f in item.files.all()) == ["kept.pdf", "new.pdf"]


@pytest.mark.parametrize("outage", OUTAGES)
def test_a_download_while_the_store_is_unreachable_is_a_page_saying_try_again_later(
    learner_client, item, centre_a, evidence_storage, monkeypatch, outage
):
    with centre_scope(centre_a):
        kept = item.files.get()
    store = evidence_storage(FlakyStore)
    store.failure = outage(monkeypatch)
    path = reverse("portfolio:file", kwargs={"file_id": kept.pk})

    response = learner_client.get(path)

    assert response.status_code == 503
    assert response["Retry-After"] == "120"
    page = response.content.decode()
    assert "Waymark cannot reach its file storage at the moment" in page
    assert "Please try again in a few minutes" in page
    store.failure = None
    back = learner_client.get(path)
    assert back.status_code == 200 and b"".join(back.streaming_content) == PDF_BYTES


def test_a_file_removed_while_the_store_is_unreachable_is_removed_and_its_file_left_for_the_check(
    learner_client, item, centre_a, evidence_storage, caplog, django_capture_on_commit_callbacks
):
    with centre_scope(centre_a):
        kept = item.files.get()
    store = evidence_storage(FlakyStore)
    store.failure = refused_connection()

    with django_capture_on_commit_callbacks(execute=True):
        response = learner_client.post(
            reverse("portfolio:remove_file", kwargs={"item_id": item.pk, "file_id": kept.pk})
        )

    assert response.status_code == 302
    with centre_scope(centre_a):
        assert not item.files.exists()
    assert f"A stored evidence file, {kept.file.name}, could not be deleted" in caplog.text
    assert kept.file.name in stored_names(FileSystemStorage(location=settings.EVIDENCE_ROOT))
