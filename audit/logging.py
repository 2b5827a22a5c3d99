"""Escaping for text that ends up in a log or the audit trail, where one line is one entry.

A value that carries a line break (a name typed as ``"Ann\\nverb=sign_off.recorded"``)
would otherwise start a line of its own that reads as a genuine entry. Escaping keeps it
visibly part of the entry it came in with, and readable.
"""

import logging
import re

# C0 and C1 controls (with DEL), and the two Unicode separators some readers break lines at.
CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _escape(match: re.Match) -> str:
    character = match.group()
    return "\\n" if character == "\n" else f"\\u{ord(character):04x}"


def escape_control_characters(text: str) -> str:
    r"""``text`` with a newline as ``\n`` and every other control character as ``\uXXXX``."""
    return CONTROL_CHARACTERS.sub(_escape, text)


class EscapingFormatter(logging.Formatter):
    """A formatter whose every entry is one line: control characters anywhere in it (the
    message, its arguments, a traceback) are escaped. A line ending that the format string
    itself ends with is the formatter's own: the entry still ends with it, unescaped."""

    def format(self, record: logging.LogRecord) -> str:
        ending = next((ending for ending in ("\r\n", "\n") if self._fmt.endswith(ending)), "")
        return escape_control_characters(super().format(record).removesuffix(ending)) + ending
