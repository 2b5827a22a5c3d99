"""How a bundle is shared out between the processes that lay it out side by side, and what
its stylesheet may not do for the groups to paginate as the whole bundle does."""

import itertools
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from moderation.bundle.appendices import AppendedPdf
from moderation.bundle.render import STYLESHEET, groups_of


def candidate(items: int, pdf_pages: int = 0, key: int = 0):
    files = [SimpleNamespace(pk=key)] if pdf_pages else []
    return SimpleNamespace(versions=[object()] * items, files=files)


def sizes(groups) -> list[int]:
    return [group.stop - group.start for group in groups]


@pytest.mark.parametrize(
    ("count", "processes", "expected"),
    [(1, 4, [1]), (2, 4, [1, 1]), (3, 2, [2, 1]), (30, 2, [15, 15]), (30, 3, [10, 10, 10]), (7, 1, [7])],
)
def test_candidates_are_shared_out_in_runs_of_about_the_same_size(count, processes, expected):
    groups = groups_of([candidate(5) for _ in range(count)], {}, min(processes, count))
    assert sizes(groups) == expected
    assert groups[0].start == 0 and groups[-1].stop == count
    assert all(a.stop == b.start for a, b in itertools.pairwise(groups))  # in order, none left out


def test_a_candidate_with_a_long_pdf_weighs_as_its_pages():
    heavy = candidate(1, pdf_pages=40, key=7)
    groups = groups_of([heavy, *[candidate(1) for _ in range(9)]], {7: AppendedPdf(None, pages=40)}, 2)
    assert sizes(groups) == [1, 9]  # the 43 pages of the first, then the 27 of the nine others


def test_no_group_is_ever_empty():
    for count in range(1, 12):
        for processes in range(1, count + 1):
            groups = groups_of([candidate(n % 4) for n in range(count)], {}, processes)
            assert all(size > 0 for size in sizes(groups)), (count, processes)
            assert sum(sizes(groups)) == count


def test_the_stylesheet_paginates_each_group_as_the_whole_bundle():
    """A group laid out alone has the pages its candidates have in the whole bundle only
    while a page's look does not depend on its number or side (each candidate starts a
    page): no first, left, right, blank or nth page rules, no page counter, no break to
    a left or right page."""
    css = Path(STYLESHEET).read_text()
    assert not re.search(r"@page\s*[^{]*:(first|left|right|blank|nth)", css)
    assert "counter(page" not in css
    assert not re.search(r"break-(before|after)\s*:\s*(left|right|recto|verso)", css)
    assert re.search(r"\.candidate\s*{[^}]*break-before:\s*page", css)
