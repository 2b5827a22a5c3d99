"""Times the moderation bundle for 30 candidates with 5 evidence items each, every item
carrying an 800×600 photograph uploaded as PNG, on a throwaway copy of the database
DATABASE_URL names, beside two references on the same content: WeasyPrint alone on a
plain HTML page embedding the original PNGs, and Chromium's print-to-PDF of that page.
Then it times splitting that bundle into parts for email (at BUNDLE_PART_MAX_BYTES, or
BENCHMARK_PART_MAX_BYTES when set). Not a test: it prints seconds, pages, size and peak
memory of each.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/waymark .venv/bin/python benchmarks/bundle.py
"""

import dataclasses
import io
import multiprocessing
import os
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")

import django

django.setup()

from django.db import connection
from PIL import Image, ImageDraw, ImageFilter
from pypdf import PdfReader

CANDIDATES, ITEMS, CHROMIUM = 30, 5, os.environ.get("WAYMARK_CHROMIUM", "/usr/bin/chromium")
SEED = Path(__file__).resolve().parent.parent / "units" / "data" / "ocr-unit-35-R-600-9587.txt"


def photograph(seed: int) -> bytes:
    """An 800×600 picture with a photograph's smooth gradients and fine grain, as PNG."""
    image = Image.effect_noise((800, 600), 40 + seed % 20).convert("RGB")
    draw = ImageDraw.Draw(image, "RGBA")
    for n in range(12):
        x, y = (seed * 37 + n * 97) % 800, (seed * 53 + n * 61) % 600
        draw.ellipse((x - 150, y - 120, x + 150, y + 120), fill=((n * 40) % 255, (seed * 9) % 255, 120, 90))
    image = image.filter(ImageFilter.GaussianBlur(1.2))
    content = io.BytesIO()
    image.save(content, "PNG")
    return content.getvalue()


def measured(function, *args):
    """Run ``function`` in a fresh child process, so that each method's peak memory is its
    own: the seconds its work took there, and that peak."""
    with multiprocessing.get_context("fork").Pool(1) as pool:
        return pool.apply(_timed, (function, *args))


def _timed(function, *args):
    started = time.perf_counter()
    memory = function(*args)
    return time.perf_counter() - started, memory


def waymark_bundle(sample_id: int, centre_id: int, output: str):
    """The bundle as the worker makes it: read the sample, render, write the PDF."""
    from centre.models import Centre
    from common.scoping import centre_scope, scopes_disabled
    from moderation.bundle import render_bundle
    from moderation.models import ModerationSample
    from moderation.selectors import candidates_of

    with scopes_disabled():
        centre = Centre.objects.get(pk=centre_id)
    with centre_scope(centre):
        sample = ModerationSample.objects.get(pk=sample_id)
        if os.environ.get("BENCHMARK_PROFILE"):
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            rendered = profiler.runcall(render_bundle, sample=sample, candidates=candidates_of(sample=sample))
            pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
        else:
            rendered = render_bundle(sample=sample, candidates=candidates_of(sample=sample))
    Path(output).write_bytes(rendered.pdf)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # For the parts' timing, which starts from the rendered bundle as the worker has it
    # (without the ZIP, which the parts do not need), kept out of this peak.
    without_archive = dataclasses.replace(rendered, archive=b"")
    Path(output).with_suffix(".pickle").write_bytes(pickle.dumps(without_archive))
    return peak


def waymark_parts(rendered_path: str, max_bytes: int):
    """The bundle's parts, as the worker makes them after the render: split and written."""
    from moderation.bundle import split_into_parts

    rendered = pickle.loads(Path(rendered_path).read_bytes())  # noqa: S301 (written just before)
    parts = split_into_parts(rendered, max_bytes=max_bytes)
    for n, part in enumerate(parts, start=1):
        Path(rendered_path).with_name(f"part-{n}-of-{len(parts)}.pdf").write_bytes(part)
    print(
        f"  {len(parts)} parts at most {max_bytes / 1024 / 1024:.1f} MB: biggest "
        f"{max(map(len, parts)) / 1024 / 1024:.1f} MB, together {sum(map(len, parts)) / 1024 / 1024:.1f} MB"
    )
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def plain_weasyprint(page: str, output: str):
    from weasyprint import HTML

    HTML(filename=page).write_pdf(output)
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def chromium(page: str, output: str):
    subprocess.run(  # noqa: S603
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
            "--no-pdf-header-footer",
            f"--print-to-pdf={output}",
            f"file://{page}",
        ],
        check=True,
        capture_output=True,
    )
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def build(folder: Path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from assessment.services import Judgement, assess_submission, countersign_unit, sign_off_unit
    from centre.models import Role
    from centre.services import add_member, save_centre, set_offered_units
    from common.scoping import centre_scope
    from learners.models import Enrolment, Learner
    from learners.services import allocate_assessor
    from moderation.services import create_moderation_sample
    from portfolio.models import EvidenceItem
    from portfolio.services import add_evidence_files, set_evidence_mappings, submit_evidence_item
    from tests.factories import valid_uln
    from units.parsing import parse_unit_file
    from units.selectors import unit_by_urn
    from units.services import import_unit

    import_unit(spec=parse_unit_file(SEED.read_bytes()))
    unit = unit_by_urn(urn="R/600/9587")
    centre, _ = save_centre(number="12345", name="Benchmark College")
    set_offered_units(centre=centre, urns=[unit.urn])
    admin = add_member(centre=centre, email="admin@example.org", role=Role.CENTRE_ADMIN)[0].user
    assessors = [
        add_member(centre=centre, email=f"a{n}@example.org", role=Role.ASSESSOR)[0].user for n in range(3)
    ]
    criteria = [c for o in unit.learning_outcomes.all() for c in o.criteria.all()]
    originals = []
    with centre_scope(centre):
        enrolments = []
        for n in range(CANDIDATES):
            learner = Learner.objects.create(
                centre=centre,
                first_name="Learner",
                last_name=f"{n:04d}",
                email=f"l{n}@example.org",
                uln=valid_uln(400000000 + 3 * n),
                candidate_number=f"{n + 1:04d}",
            )
            user = add_member(centre=centre, email=learner.email, role=Role.LEARNER)[0].user
            learner.refresh_from_db()
            enrolment = Enrolment.objects.create(
                centre=centre, learner=learner, unit=unit, start_date="2026-09-07"
            )
            allocate_assessor(enrolment=enrolment, assessor=assessors[n % 3])
            enrolment.refresh_from_db()
            for i in range(ITEMS):
                content = photograph(n * ITEMS + i)
                originals.append(content)
                item = EvidenceItem.objects.create(
                    centre=centre,
                    learner=learner,
                    kind="files",
                    title=f"Photo {i + 1}",
                    body="At the event.",
                    creation_token=f"00000000-0000-4000-8000-{n * ITEMS + i:012d}",
                )
                add_evidence_files(
                    item=item, actor=user, uploads=[SimpleUploadedFile(f"p{i}.png", content, "image/png")]
                )
                claims = {c.pk: "Shown." for c in criteria[i::ITEMS]}
                set_evidence_mappings(item=item, actor=user, claims=claims)
                submit_evidence_item(item=item, actor=user, declared=True)
                assess_submission(
                    item=item,
                    assessor=enrolment.assessor,
                    judgements={c.pk: Judgement("met", "", 0) for c in criteria[i::ITEMS]},
                )
            sign_off = sign_off_unit(enrolment=enrolment, assessor=enrolment.assessor, declared=True)
            countersign_unit(sign_off=sign_off, learner_user=user, declared=True)
            enrolments.append(enrolment.pk)
        sample = create_moderation_sample(centre=centre, unit=unit, actor=admin, enrolment_ids=enrolments)
    images = []
    for n, content in enumerate(originals):
        path = folder / f"photo-{n}.png"
        path.write_bytes(content)
        images.append(f'<h2>Photo {n + 1}</h2><img src="{path.name}" style="max-width: 100%">')
    page = folder / "plain.html"
    page.write_text("<!DOCTYPE html><html><body>" + "".join(images) + "</body></html>")
    return sample, centre, page


def report(name: str, seconds: float, output: Path, memory: float) -> None:
    pages = len(PdfReader(output).pages)
    size = output.stat().st_size / 1024 / 1024
    print(f"{name:<34} {seconds:6.1f} s {pages:5d} pages {size:7.1f} MB  peak {memory:6.0f} MB")


def main() -> None:
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        with tempfile.TemporaryDirectory() as folder:
            folder = Path(folder)
            print(f"{connection.vendor}: {CANDIDATES} candidates × {ITEMS} items, each with an 800×600 PNG")
            started = time.perf_counter()
            sample, centre, page = build(folder)
            print(f"built in {time.perf_counter() - started:.0f} s")
            connection.close()
            outputs = {name: folder / f"{name}.pdf" for name in ["waymark", "weasyprint", "chromium"]}
            seconds, memory = measured(waymark_bundle, sample.pk, centre.pk, str(outputs["waymark"]))
            report("Waymark bundle", seconds, outputs["waymark"], memory)
            seconds, memory = measured(plain_weasyprint, str(page), str(outputs["weasyprint"]))
            report("WeasyPrint alone, plain page", seconds, outputs["weasyprint"], memory)
            seconds, memory = measured(chromium, str(page), str(outputs["chromium"]))
            report("Chromium print-to-PDF, plain page", seconds, outputs["chromium"], memory)
            from django.conf import settings

            limit = int(os.environ.get("BENCHMARK_PART_MAX_BYTES", settings.BUNDLE_PART_MAX_BYTES))
            pickled = str(outputs["waymark"].with_suffix(".pickle"))
            seconds, memory = measured(waymark_parts, pickled, limit)
            print(f"{'Waymark parts of that bundle':<34} {seconds:6.1f} s{'':31} peak {memory:6.0f} MB")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
