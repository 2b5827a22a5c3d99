"""Evidence that presents a record the learner keeps elsewhere in Waymark.

A kind of evidence with ``record_source`` (``portfolio.kinds``) does not hold its content
itself: the item names one of the learner's records (their networking contact register,
say), which is shown live while the item is a draft and frozen into each submitted
version's snapshot. The app that keeps those records sits above portfolio, so portfolio
never imports it: that app registers a ``RecordSource`` for the kind when Django starts
(in its ``AppConfig.ready()``), and portfolio asks it to check, build, describe and show
the record.
"""

from portfolio.models import EvidenceKind


class RecordSource:
    """What portfolio needs of the app that keeps the records a kind of evidence presents."""

    # Where a submitted version's snapshot holds the record.
    key: str

    def kept_by(self, *, learner) -> bool:
        """Whether ``learner`` keeps such records (and so may present one as evidence)."""
        raise NotImplementedError

    def checked(self, *, learner, details: dict) -> dict:
        """``details`` of a new item, checked to name a record of ``learner``'s own, as they
        are stored; or ``Refused``."""
        raise NotImplementedError

    def describe(self, details: dict) -> str:
        """Which record ``details`` names, as a person reads it."""
        raise NotImplementedError

    def build(self, *, learner, details: dict) -> dict:
        """The record ``details`` names as the learner sees it, as data a snapshot can hold;
        or ``Refused`` if it cannot be (the record has been deleted)."""
        raise NotImplementedError

    def gaps(self, record: dict) -> list[str]:
        """What ``record`` lacks to be worth submitting."""
        raise NotImplementedError

    def as_text(self, record: dict) -> str:
        """``record`` as lines of text, to show what changed between two versions."""
        raise NotImplementedError

    def render(self, record: dict) -> str:
        """``record`` as HTML, escaped where it must be (a page's fragment)."""
        raise NotImplementedError


_SOURCES: dict[str, RecordSource] = {}


def register_record_source(kind: str, source: RecordSource) -> None:
    """Have ``source`` answer for the records that evidence of ``kind`` presents."""
    _SOURCES[kind] = source


def record_source(kind: str) -> RecordSource:
    try:
        return _SOURCES[kind]
    except KeyError:
        raise LookupError(f"No app has registered the records that “{kind}” evidence presents.") from None


def record_sources() -> dict[str, RecordSource]:
    """Every registered source, by the kind of evidence it answers for."""
    return dict(_SOURCES)


def networking_enabled(*, learner) -> bool:
    """Whether the learner keeps networking records: the portfolio offers them as evidence."""
    source = _SOURCES.get(EvidenceKind.NETWORKING_RECORD)
    return source is not None and source.kept_by(learner=learner)
