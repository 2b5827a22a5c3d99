"""People's names as a person sorts and searches them, whatever the database's collation.

SQLite compares by character code and PostgreSQL by its cluster's collation, so
``ORDER BY last_name`` put "de Souza" after "O'Neill" and "Ólafsdóttir" after "Young". Each
person row stores a key made here and kept in step by its ``save()``: the database orders
and paginates by it in one query, the same on both. The key is the name transliterated to
Latin letters (anyascii, which Wagtail already depends on), case-folded, with punctuation
and spaces inside a name dropped: "de Souza" files under D, "O'Neill" as "oneill", "张伟"
as "zhangwei", "Иванов" as "ivanov"."""

import re

from anyascii import anyascii

NOT_LETTERS = re.compile(r"[^0-9a-z]+")
SPACES = re.compile(r"\s+")


def folded(text: str) -> str:
    """``text`` in lower-case Latin letters, accents and scripts set aside."""
    return SPACES.sub(" ", anyascii(text or "").casefold()).strip()


def _compact(text: str) -> str:
    return NOT_LETTERS.sub("", folded(text))


def person_sort_key(*, last_name: str, first_name: str) -> str:
    """Surname, then given name; a space between sorts before any letter, so "Smith,
    John" comes before "Smithson"."""
    return f"{_compact(last_name)} {_compact(first_name)}"[:300]


def person_search_text(*, first_name: str, last_name: str, email: str) -> str:
    """What a search for part of a name or an email address looks in: the name as typed
    (folded) and without its punctuation, so "oneill" finds "O'Neill" and "Sean" finds
    "Seán", then the email address."""
    name = folded(f"{first_name} {last_name}")
    return f"{name} | {_compact(first_name)}{_compact(last_name)} | {folded(email)}"


def search_term(text: str) -> str:
    """A typed search, folded as the stored text is."""
    return folded(text)
