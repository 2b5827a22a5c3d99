from django.core.management.base import BaseCommand, CommandError

from audit.models import GENESIS_HASH, AuditRecord, chained_hash, record_content
from common.scoping import scopes_disabled


def records(count: int) -> str:
    return f"{count} record{'s' if count != 1 else ''}"


class Command(BaseCommand):
    help = (
        "Walk the audit trail's hash chain in order and check every link: exits with status 1 at "
        "the first record whose content has changed, or that has records missing before it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--anchor",
            metavar="SEQUENCE:HASH",
            help="An anchor printed by an earlier run (kept outside the database, for example with "
            "the backups): the trail must still reach that record, with that hash. Without one, "
            "records removed from the very end of the trail cannot be told from records never written.",
        )

    def handle(self, *args, **options):
        anchor = self._anchor(options["anchor"]) if options["anchor"] else None
        previous_hash, previous_sequence, checked = GENESIS_HASH, 0, 0
        # The chain runs across every centre; a record at a time, however long the trail.
        with scopes_disabled():
            for record in AuditRecord.objects.order_by("sequence").iterator(chunk_size=2000):
                problem = self._broken_link(record, previous_hash, previous_sequence)
                if problem:
                    # Keys and hashes only: the message can go into a ticket or a log.
                    raise CommandError(
                        f"Audit trail broken at record {record.pk} (sequence {record.sequence}), "
                        f"after {records(checked)} intact: {problem}"
                    )
                previous_hash, previous_sequence = record.hash, record.sequence
                checked += 1
        if anchor is not None and (previous_sequence < anchor[0] or not self._reaches(anchor)):
            raise CommandError(
                f"Audit trail broken: the anchor {anchor[0]}:{anchor[1]} is no longer in it; the trail "
                f"ends at sequence {previous_sequence}, so records were removed or rewritten."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit trail intact: {records(checked)}."))
        if checked:
            self.stdout.write(f"Anchor for a later check: {previous_sequence}:{previous_hash}")

    @staticmethod
    def _anchor(value: str) -> tuple[int, str]:
        sequence, _, hash_ = value.partition(":")
        if not (sequence.isascii() and sequence.isdigit() and len(hash_) == 64):
            raise CommandError("An anchor is SEQUENCE:HASH, as printed by an earlier run.")
        return int(sequence), hash_

    @staticmethod
    def _reaches(anchor: tuple[int, str]) -> bool:
        with scopes_disabled():
            return AuditRecord.objects.filter(sequence=anchor[0], hash=anchor[1]).exists()

    def _broken_link(self, record, previous_hash: str, previous_sequence: int) -> str | None:
        # The record's own hash first: a record changed in place is named as changed, not
        # blamed on the link after it.
        recomputed = chained_hash(record.previous_hash, record_content(record))
        if recomputed != record.hash:
            return (
                "its content has changed since it was written: "
                f"expected hash {record.hash}, found {recomputed}."
            )
        missing = record.sequence - previous_sequence - 1
        if missing > 0:
            return (
                f"{records(missing)} missing before it: expected sequence {previous_sequence + 1}, "
                f"found {record.sequence}; expected previous hash {previous_hash}, "
                f"found {record.previous_hash}."
            )
        if record.previous_hash != previous_hash:
            return (
                "it is not chained to the record before it (one of the two was rewritten and its "
                f"hash recomputed): expected previous hash {previous_hash}, found {record.previous_hash}."
            )
        return None
