"""Text that learners write, turned into HTML that is safe to show anyone.

Learners write Markdown. Whatever HTML they type is cut to a small set of formatting
tags: no images, scripts, styles, frames or forms, and links only to web and email
addresses, so a page or a moderation bundle showing the text fetches nothing and runs
nothing.
"""

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
