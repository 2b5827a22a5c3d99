"""The bundle's layout and its parts: what a moderator receives by email."""

import hashlib
import io
import random
import re

import pytest
import time_machine
from django.core.management import call_command
from PIL import Image, ImageDraw
from pypdf import PdfReader
from pypdf.generic import StreamObject

from centre.models import Role
from centre.services import set_offered_units
from common.scoping import centre_scope
from moderation.bundle import render_bundle, split_into_parts
from moderation.selectors import candidates_of
from moderation.services import create_moderation_sample
from portfolio.services import add_evidence_files, set_evidence_mappings, submit_evidence_item
from tests.factories import EvidenceItemFactory
from tests.factories.moderation import two_page_pdf, upload
from tests.helpers import allocated_learner, countersigned, judged_met, member


def photo(seed: int, size=(480, 360)) -> bytes:
    """A picture unlike any other (noise and shapes from ``seed``), so that no two share
    an image object in the PDF."""
    rng = random.Random(seed)
    image = Image.effect_noise(size, 40).convert("RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(8):
        x, y = rng.randint(0, size[0]), rng.randint(0, size[1])
        draw.ellipse((x - 90, y - 60, x + 90, y + 60), fill=tuple(rng.randint(0, 255) for _ in range(3)))
    content = io.BytesIO()
    image.save(content, "PNG")
    return content.getvalue()


def candidate_with_items(*, centre, unit, assessor, candidate_number: str, items: list[list]):
    """A signed-off learner with one evidence item per entry of ``items`` (each a list of
    uploads), the unit's criteria shared out between them. Call inside the centre's scope."""
    enrolment = allocated_learner(
        centre=centre, unit=unit, assessor=assessor, candidate_number=candidate_number
    )
    learner, user = enrolment.learner, enrolment.learner.user
    criteria = [c for o in unit.learning_outcomes.all() for c in o.criteria.all()]
    for index, files in enumerate(items):
        item = EvidenceItemFactory(learner=learner, title=f"Item {index + 1} of {candidate_number}")
        if files:
            add_evidence_files(item=item, actor=user, uploads=files)
        mapped = criteria[index :: len(items)]
        set_evidence_mappings(item=item, actor=user, claims={c.pk: f"Meets {c.code}." for c in mapped})
        submit_evidence_item(item=item, actor=user, declared=True)
        judged_met(item, assessor=assessor, criteria=mapped)
    countersigned(enrolment, assessor=assessor)
    return enrolment


@pytest.fixture
def photographed(centre_a, seed_unit):
    """Four signed-off candidates, each with four items: a written account, two
    photographs, and a PDF."""
    set_offered_units(centre=centre_a, urns=["R/600/9587"])
    with centre_scope(centre_a):
        assessor = member(centre_a, Role.ASSESSOR)
        admin = member(centre_a, Role.CENTRE_ADMIN)
        enrolments = [
            candidate_with_items(
                centre=centre_a,
                unit=seed_unit,
                assessor=assessor,
                candidate_number=f"{n:04d}",
                items=[
                    [],
                    [upload(f"a{n}.png", photo(10 * n), "image/png")],
                    [upload(f"b{n}.png", photo(10 * n + 1), "image/png")],
                    [upload(f"plan{n}.pdf", two_page_pdf(f"Plan of {n:04d}"), "application/pdf")],
                ],
            )
            for n in range(1, 5)
        ]
        sample = create_moderation_sample(
            centre=centre_a, unit=seed_unit, actor=admin, enrolment_ids=[e.pk for e in enrolments]
        )
        rendered = render_bundle(sample=sample, candidates=candidates_of(sample=sample))
    return sample, rendered


def test_the_whole_bundle_is_made_in_as_many_queries_as_one_candidates(
    photographed, centre_a, django_assert_max_num_queries
):
    sample, _ = photographed
    with centre_scope(centre_a):
        with django_assert_max_num_queries(10) as one:
            render_bundle(sample=sample, candidates=candidates_of(sample=sample, candidate_numbers=["0001"]))
        # Four candidates, each with four items, photographs and a PDF: no query per any of them.
        with django_assert_max_num_queries(len(one.captured_queries)):
            rendered = render_bundle(sample=sample, candidates=candidates_of(sample=sample))
    assert len(rendered.candidate_pages) == 4


def drawn_images(reader: PdfReader) -> set[str]:
    """The image objects the pages draw (``Do`` in their content, through forms too),
    each by the SHA-256 of its data."""
    found = set()

    def walk(content: bytes, resources) -> None:
        xobjects = resources.get("/XObject", {}) if resources else {}
        for name in re.findall(rb"/([^\s/\[\]()<>{}%]+)\s+Do\b", content):
            xobject = xobjects.get("/" + name.decode())
            if xobject is None:
                continue
            xobject = xobject.get_object()
            if xobject["/Subtype"] == "/Image":
                found.add(hashlib.sha256(xobject._data).hexdigest())
            else:
                walk(xobject.get_data(), xobject.get("/Resources"))

    for page in reader.pages:
        walk(page.get_contents().get_data(), page.get("/Resources"))
    return found


def stored_images(reader: PdfReader) -> set[str]:
    """Every image object written in the file, used or not."""
    found = set()
    for number in range(1, int(reader.trailer["/Size"])):
        obj = reader.get_object(number)
        if hasattr(obj, "get") and obj.get("/Subtype") == "/Image":
            found.add(hashlib.sha256(obj._data).hexdigest())
    return found


def page_texts(pdf: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def test_each_part_holds_only_its_own_images_is_within_the_limit_and_starts_with_a_candidate(photographed):
    _, rendered = photographed
    limit = int(len(rendered.pdf) / 2.5)
    parts = split_into_parts(rendered, max_bytes=limit)

    assert len(parts) >= 3
    whole_text = page_texts(rendered.pdf)
    assert sum(len(PdfReader(io.BytesIO(p)).pages) for p in parts) == len(whole_text)
    for part in parts:
        assert len(part) <= limit
        reader = PdfReader(io.BytesIO(part))
        assert stored_images(reader) == drawn_images(reader)
    # Nothing much is written twice: fonts once a part, each image once in all.
    assert sum(len(p) for p in parts) < 1.15 * len(rendered.pdf) + 60_000 * len(parts)
    all_drawn = [drawn_images(PdfReader(io.BytesIO(p))) for p in parts]
    assert sum(len(d) for d in all_drawn) == len(set().union(*all_drawn)) == 8
    for k, part in enumerate(parts, start=1):
        texts = page_texts(part)
        assert all(f"Part {k} of {len(parts)}" in text for text in texts)
        assert "continued" not in " ".join(texts)
        if k > 1:  # each part after the first starts with a candidate's first page
            assert re.search(r"Candidate \d{4}: \S+ Learner\d{4} Submission cover sheet", texts[0])


def test_a_candidate_bigger_than_a_part_is_split_between_items_and_labelled_continued(photographed):
    _, rendered = photographed
    number = rendered.candidate_pages[0][0]
    # Smaller than a candidate, but bigger than any one of their items.
    limit = int(len(rendered.pdf) / len(rendered.candidate_pages) * 0.6)
    parts = split_into_parts(rendered, max_bytes=limit)

    assert all(len(part) <= limit for part in parts)
    texts = [page_texts(part) for part in parts]
    continued = [(k, t) for k, t in enumerate(texts, start=1) if f"Candidate {number}, continued" in t[0]]
    assert continued, "the first candidate's later items are in a part labelled as continuing it"
    for k, part_texts in continued:
        assert all(f"Part {k} of {len(parts)}" in t for t in part_texts)
        assert re.match(rf"{number}: Item \d of {number} \(version 1\)", part_texts[0])  # an item's start
    assert len(PdfReader(io.BytesIO(rendered.pdf)).pages) == sum(len(t) for t in texts)


def test_export_bundle_writes_the_parts_beside_the_bundle(photographed, tmp_path, settings):
    sample, rendered = photographed
    output = tmp_path / "bundle.pdf"
    limit = int(len(rendered.pdf) / 2.5)
    call_command(
        "export_bundle",
        "--centre",
        sample.centre.number,
        "--unit",
        "R/600/9587",
        "--output",
        str(output),
        "--part-max-bytes",
        str(limit),
    )
    parts = sorted(tmp_path.glob("bundle-part-*.pdf"))
    assert len(parts) >= 3
    n = len(parts)
    assert {p.name for p in parts} == {f"bundle-part-{k}-of-{n}.pdf" for k in range(1, n + 1)}
    for k in range(1, n + 1):
        part = tmp_path / f"bundle-part-{k}-of-{n}.pdf"
        assert part.stat().st_size <= limit
        assert f"Part {k} of {n}" in PdfReader(part).pages[0].extract_text()

    # Under the limit (the default, settings.BUNDLE_PART_MAX_BYTES), no parts.
    settings.BUNDLE_PART_MAX_BYTES = len(rendered.pdf) * 2
    small = tmp_path / "small" / "whole.pdf"
    call_command(
        "export_bundle", "--centre", sample.centre.number, "--unit", "R/600/9587", "--output", str(small)
    )
    assert small.exists() and not list(small.parent.glob("*part*"))


def test_nothing_of_the_bundle_is_drawn_on_a_page_that_holds_a_learners_pdf_page(photographed, centre_a):
    sample, rendered = photographed
    pages = page_texts(rendered.pdf)
    for n in range(1, 5):
        number = f"{n:04d}"
        learner = PdfReader(io.BytesIO(two_page_pdf(f"Plan of {number}")))
        reserved = [index for index, text in enumerate(pages) if f"Plan of {number}" in text]
        assert len(reserved) == len(learner.pages) == 2
        with centre_scope(centre_a):
            sampled = sample.learners.select_related("enrolment__learner").get(
                enrolment__learner__candidate_number=number
            )
        person = sampled.enrolment.learner
        header = f"{centre_a.name} ({centre_a.number}) · R/600/9587 Candidate {number}: {person.first_name}"
        header += f" {person.last_name}"
        for index, source in zip(reserved, learner.pages, strict=True):
            allowed = set(header.split()) | set(source.extract_text().split())
            allowed |= {"Page", str(index + 1), "of", str(len(pages))}
            assert set(pages[index].split()) - allowed == set(), f"page {index + 1} has more drawn on it"


def test_the_running_header_is_one_line_and_dates_fit_the_recording_sheet(photographed):
    from django.utils import timezone
    from django.utils.formats import date_format

    _, rendered = photographed
    reader = PdfReader(io.BytesIO(rendered.pdf))
    for page in [reader.pages[0], reader.pages[1]]:  # the cover (no candidate) and a candidate's
        baselines = set()

        def header(text, cm, tm, font, size, baselines=baselines):
            y = (tm[5] * cm[3]) + cm[5] if cm[3] else tm[5]
            if text.strip() and y > 841.89 - 25 * 72 / 25.4:  # in the top margin
                baselines.add(round(y))

        page.extract_text(visitor_text=header)
        assert len(baselines) == 1
    sheet = page_texts(rendered.pdf)[1]
    assert "Unit recording sheet" in sheet
    assert not re.search(r"\d{4}-\d{2}-\d{2}", sheet)  # no ISO dates, which ran past the border
    assert sheet.count(date_format(timezone.localtime())) >= 7  # one per criterion at least, British


def test_the_first_item_follows_the_declarations_on_their_page(photographed):
    _, rendered = photographed
    pages = page_texts(rendered.pdf)
    for number, first, last in rendered.candidate_pages:
        (declarations,) = [t for t in pages[first : last + 1] if "Declarations Assessor:" in t]
        assert f"{number}: Item 1 of {number} (version 1)" in declarations


def outline_of(reader: PdfReader, entries=None, depth=0) -> list[tuple[int, str, int]]:
    """Each outline entry: its depth, title and the page (from 0) it leads to."""
    found = []
    for entry in reader.outline if entries is None else entries:
        if isinstance(entry, list):
            found.extend(outline_of(reader, entry, depth + 1))
        else:
            found.append((depth, entry.title, reader.get_destination_page_number(entry)))
    return found


def links_of(reader: PdfReader) -> list[list[tuple]]:
    """Each page's links to its own pages: the rectangle, and the page (from 0) it leads to."""
    pages = {page.indirect_reference.idnum: index for index, page in enumerate(reader.pages)}
    found = []
    for page in reader.pages:
        links = []
        for annotation in page.get("/Annots", []):
            annotation = annotation.get_object()
            if "/Dest" in annotation:
                rectangle = tuple(round(float(value), 1) for value in annotation["/Rect"])
                links.append((rectangle, pages[annotation["/Dest"][0].idnum]))
        found.append(sorted(links))
    return found


@time_machine.travel("2026-12-04 09:30", tick=False)  # the cover's "Produced" time, the same in both
def test_a_bundle_laid_out_side_by_side_is_the_bundle_laid_out_in_one_process(photographed, centre_a):
    sample, _ = photographed
    with centre_scope(centre_a):
        candidates = candidates_of(sample=sample)
        alone = render_bundle(sample=sample, candidates=candidates, processes=1)
        side_by_side = render_bundle(sample=sample, candidates=candidates, processes=3)
    one, three = PdfReader(io.BytesIO(alone.pdf)), PdfReader(io.BytesIO(side_by_side.pdf))
    assert len(three.pages) == len(one.pages) == alone.pages == side_by_side.pages
    assert three.trailer["/Root"]["/Lang"] == one.trailer["/Root"]["/Lang"] == "en-GB"
    assert three.metadata.title == one.metadata.title and "Northgate College" in one.metadata.title
    # Every page says the same: the running header, "Page X of Y", each reference's page
    # number and the learners' PDFs drawn in.
    for reader in (one, three):  # what is drawn over a page leaves its own content whole
        for page in reader.pages:
            streams = page["/Contents"]
            assert all(isinstance(stream.get_object(), StreamObject) for stream in streams)
    texts = [page.extract_text() for page in one.pages]
    assert [page.extract_text() for page in three.pages] == texts
    assert all(f"Page {n} of {len(texts)}" in text for n, text in enumerate(texts, start=1))
    # The running header names the bundle on every page, in every group.
    header = f"{centre_a.name} ({centre_a.number}) · R/600/9587"
    assert all(header in " ".join(text.split()) for text in texts)
    assert re.findall(r"p\. \d+", texts[0]) == [f"p. {first + 1}" for _, first, _ in alone.candidate_pages]
    # The outline leads to the same pages, and the links (the cover's to each candidate,
    # across the groups, and the recording sheets' to each item) too.
    assert outline_of(three) == outline_of(one)
    top = [title for depth, title, _ in outline_of(one) if depth == 0]
    assert top[0] == "Cover" and top[-1] == "Manifest"
    assert [title[: len("Candidate 0001")] for title in top[1:-1]] == [
        f"Candidate {n:04d}" for n in range(1, 5)
    ]
    assert links_of(three) == links_of(one)
    cover_links = {page for _, page in links_of(one)[0]}
    assert cover_links == {first for _, first, _ in alone.candidate_pages}
    assert (side_by_side.candidate_pages, side_by_side.item_pages) == (
        alone.candidate_pages,
        alone.item_pages,
    )
