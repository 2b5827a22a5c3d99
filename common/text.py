"""Text that learners write, turned into HTML that is safe to show anyone.

Learners write Markdown. Whatever HTML they type is cut to a small set of formatting
tags: no images, scripts, styles, frames or forms, and links only to web and email
addresses, so a page or a moderation bundle showing the text fetches nothing and runs
nothing.
"""

from html.parser import HTMLParser

import markdown
import nh3

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "u", "ul", "ol", "li", "blockquote",
    "h3", "h4", "h5", "h6", "code", "pre", "hr", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href"}, "th": {"scope"}}


def learner_text_html(text: str) -> str:
    return nh3.clean(
        markdown.markdown(text),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


BLOCKS = {"p", "li", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr", "hr", "br"}


class _Lines(HTMLParser):
    """The words of learner HTML as lines of plain text: one line per paragraph, heading,
    list item or table row (and per line break inside one), list items marked "• ", a
    link's address after its words."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.hrefs: list[str | None] = []

    def _end_line(self):
        for line in "".join(self.current).split("\n"):
            if line := " ".join(line.split()):
                self.lines.append(line)
        self.current = []

    def handle_starttag(self, tag, attrs):
        if tag in BLOCKS:
            self._end_line()
        if tag == "li":
            self.current.append("• ")
        elif tag in {"td", "th"} and self.current:
            self.current.append(" | ")
        elif tag == "a":
            self.hrefs.append(dict(attrs).get("href"))

    def handle_endtag(self, tag):
        if tag == "a" and self.hrefs:
            href = self.hrefs.pop()
            if href and href.removeprefix("mailto:") not in "".join(self.current):
                self.current.append(f" ({href})")
        elif tag in BLOCKS:
            self._end_line()

    def handle_data(self, data):
        self.current.append(data)


def learner_text_lines(text: str) -> list[str]:
    """A learner's Markdown as the words a reader sees, line by line, for comparing two
    versions: no Markdown markers, no blank lines."""
    parser = _Lines()
    parser.feed(learner_text_html(text))
    parser.close()
    parser._end_line()
    return parser.lines
