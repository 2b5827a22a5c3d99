from portfolio.selectors import version_changes


def snapshot(body: str) -> dict:
    return {
        "title": "Networking",
        "kind": "written",
        "details": {},
        "body": body,
        "mappings": [],
        "files": [],
    }


def test_version_comparison_reads_as_text_without_blank_lines_or_markdown():
    before = snapshot("# My network\n\nI met **Ravi** at the *trade fair*.\n\n- a buyer\n- a supplier\n")
    after = snapshot(
        "# My network\n\nI met **Ravi** at the *trade fair*.\n\n"
        "- a buyer\n- a supplier\n- a [trade body](https://example.org)\n\nA new paragraph.\n"
    )
    (change,) = version_changes(before, after)
    assert change.label == "Text"
    assert change.lines == [
        ("same", "My network"),
        ("same", "I met Ravi at the trade fair."),
        ("same", "• a buyer"),
        ("same", "• a supplier"),
        ("added", "• a trade body (https://example.org)"),
        ("added", "A new paragraph."),
    ]


def test_only_blank_lines_or_markup_changed_is_no_change_to_the_words():
    before = snapshot("I met Ravi.\nWe talked.")
    after = snapshot("I met Ravi.\n\n\nWe talked.\n")
    assert version_changes(before, after) == []
