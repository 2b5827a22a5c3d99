"""On SQLite one writer at a time holds the database: an upload that makes its print
rendition inside its write transaction (about 0.3 s for a phone photo) makes every other
writer wait that long, and some 46 uploads at once exceed the busy timeout, so the last
get "database is locked". The slow work on the files happens before the transaction."""

import uuid

from django.db import connection

import portfolio.services.files as evidence_files
from common.scoping import centre_scope
from portfolio.services import add_evidence_files, create_evidence_item
from tests.factories.moderation import png, upload


def test_a_photos_print_rendition_is_made_outside_the_write_transaction(learner, centre_a, monkeypatch):
    made_in_transaction = []
    real = evidence_files.print_rendition

    def watched(content):
        # The test itself runs in a transaction: count only the service's own.
        made_in_transaction.append(len(connection.atomic_blocks) > outside)
        return real(content)

    monkeypatch.setattr(evidence_files, "print_rendition", watched)
    with centre_scope(centre_a):
        item, _ = create_evidence_item(
            learner=learner,
            actor=learner.user,
            kind="written_account",
            title="My account",
            body="I did it.",
            details={},
            creation_token=uuid.uuid4(),
        )
        outside = len(connection.atomic_blocks)
        add_evidence_files(item=item, actor=learner.user, uploads=[upload("board.png", png(), "image/png")])
        assert item.files.get().print_rendition
    assert made_in_transaction == [False]
