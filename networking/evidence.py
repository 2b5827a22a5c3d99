"""A networking record as evidence: what portfolio asks of the records a "Networking
record" item presents (``portfolio.sources``), answered from networking's own reads.
Registered in ``NetworkingConfig.ready()``."""

from django.template.loader import render_to_string

from networking.selectors import (
    Record,
    compare_reviews,
    describe_source,
    network_record,
    networking_enabled,
    record_as_text,
    record_gaps,
    record_source,
)
from portfolio.sources import RecordSource


def record_context(network: dict) -> dict:
    """What ``networking/record.html`` shows a record with: a register with its map, a
    review beside the one before, or guidelines."""
    context = {"network": network}
    if network["record"] == Record.REVIEW:
        previous = network["previous"]
        context["changes"] = compare_reviews(previous or {"entries": []}, network["review"])
    return context


class NetworkingRecords(RecordSource):
    key = "network"

    def kept_by(self, *, learner) -> bool:
        return networking_enabled(learner=learner)

    def checked(self, *, learner, details: dict) -> dict:
        return record_source(learner=learner, details=details)

    def describe(self, details: dict) -> str:
        return describe_source(details)

    def build(self, *, learner, details: dict) -> dict:
        # As the learner sees it: a snapshot is pseudonymised whole, with the learner's
        # title and notes, when it is made.
        return network_record(learner=learner, details=details, pseudonymise=False)

    def gaps(self, record: dict) -> list[str]:
        return record_gaps(record)

    def as_text(self, record: dict) -> str:
        return record_as_text(record)

    def render(self, record: dict) -> str:
        return render_to_string("networking/record.html", record_context(record))
