"""The bundle's anchors are made and read back by one module: every kind comes back as
itself, and the bundle's HTML names nothing the renderer cannot read back."""

import re
import typing

import pytest

from common.scoping import centre_scope
from moderation.bundle import anchors
from moderation.bundle.anchors import (
    MANIFEST,
    AppendedPage,
    Candidate,
    EvidenceItem,
    PageSlot,
    anchor_id,
    file_url,
    parse_anchor,
    parse_file_url,
)
from moderation.bundle.appendices import appended_pdfs
from moderation.bundle.render import bundle_html
from moderation.selectors import candidates_of

EXAMPLES = [
    Candidate("0001"),
    Candidate("9999"),
    EvidenceItem("0001", 12, 1),
    EvidenceItem("0420", 0, 30),
    AppendedPage(7, 1),
    AppendedPage(1234, 56),
    MANIFEST,
    PageSlot.at(Candidate("0002"), "cover", 1),
    PageSlot.at(EvidenceItem("0001", 12, 2), "0001", "1.1", 3),
    PageSlot.at(MANIFEST, "toc"),
]


def test_the_examples_cover_every_kind_of_anchor():
    assert {type(example) for example in EXAMPLES} == set(typing.get_args(anchors.Anchor))
    slot_targets = {type(example.target) for example in EXAMPLES if isinstance(example, PageSlot)}
    assert slot_targets == {Candidate, EvidenceItem, type(MANIFEST)}


@pytest.mark.parametrize("anchor", EXAMPLES, ids=anchor_id)
def test_every_anchor_reads_back_as_itself(anchor):
    assert parse_anchor(anchor_id(anchor)) == anchor


@pytest.mark.parametrize("pk", [0, 1, 4096])
@pytest.mark.parametrize("content_type", sorted(anchors.FILE_EXTENSIONS))
def test_a_file_url_reads_back_as_its_file(pk, content_type):
    url = file_url(pk, content_type)
    assert parse_file_url(url) == pk
    assert not url.startswith("/") and ".." not in url  # a name beside the bundle's HTML


@pytest.mark.parametrize("content_type", ["application/pdf", "image/svg+xml", "text/html"])
def test_the_bundle_prints_no_file_that_is_not_an_image(content_type):
    with pytest.raises(ValueError, match="images only"):
        file_url(1, content_type)


@pytest.mark.parametrize("url", ["files/1", "files/1.svg", "files/01.jpg", "/files/1.jpg", "files/1.jpg/x"])
def test_a_url_that_names_no_file_reads_as_none(url):
    assert parse_file_url(url) is None


@pytest.mark.parametrize(
    "make",
    [
        lambda: Candidate("12a4"),
        lambda: Candidate(""),
        lambda: EvidenceItem("0001", -1, 1),
        lambda: EvidenceItem("0001", 1, "1"),
        lambda: AppendedPage(3, True),
        lambda: PageSlot.at(Candidate("0001"), "cover", ""),  # "--" would end the place early
        lambda: PageSlot.at(Candidate("0001"), "a b"),
        lambda: PageSlot.at(AppendedPage(1, 1), "cover"),
        lambda: PageSlot.at(PageSlot.at(Candidate("0001"), "x"), "y"),
    ],
)
def test_an_anchor_that_would_not_read_back_cannot_be_made(make):
    with pytest.raises(ValueError):
        make()


@pytest.mark.parametrize(
    "name", ["candidate-", "item-0001-01-1", "appended-1", "manifests", "slot-cover--appended-1-1", "x"]
)
def test_a_name_that_is_none_of_the_bundles_reads_as_none(name):
    assert parse_anchor(name) is None


def test_the_bundles_html_names_only_anchors_and_files_the_renderer_reads_back(sample, centre_a):
    with centre_scope(centre_a):
        candidates = candidates_of(sample=sample)
        files = {f.pk: f for candidate in candidates for f in candidate.files}
        html = bundle_html(sample=sample, candidates=candidates, pdfs=appended_pdfs(files))

    ids = re.findall(r'\sid="([^"]*)"', html)
    links = re.findall(r'\shref="#([^"]*)"', html)
    assert ids and links
    found = {name: parse_anchor(name) for name in ids + links}
    assert [name for name, anchor in found.items() if anchor is None] == []
    assert len(ids) == len(set(ids))  # each anchor is on the page it names, once
    assert set(links) <= set(ids)  # every link leads somewhere in the bundle
    # The sample has every kind: a candidate's section, an item, a learner's PDF's pages,
    # the manifest, and page slots after references.
    assert {type(anchor) for anchor in found.values()} == set(typing.get_args(anchors.Anchor))
    for slot in (anchor for anchor in found.values() if isinstance(anchor, PageSlot)):
        assert anchor_id(slot.target) in ids

    urls = re.findall(r'\s(?:src|href|data)="([^"#][^"]*)"', html)
    assert anchors.STYLESHEET_URL in urls
    assert all(url == anchors.STYLESHEET_URL or parse_file_url(url) in files for url in urls)
    assert any(parse_file_url(url) is not None for url in urls)  # the photo
