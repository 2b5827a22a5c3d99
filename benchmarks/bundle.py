"""Times the moderation bundle as the worker makes it, beside two engines given the very
same document, on a throwaway copy of the database DATABASE_URL names.

For each size (30, 60 and 120 candidates, each with 5 evidence items carrying an 800×600
photograph uploaded as PNG, so printed from the JPEG rendition made at upload), it times
three jobs, in rounds, each job in a fresh process of its own and the order turned every
round:

- Waymark: the worker's whole job, ``run_bundle_render`` on a queued render (layout,
  learners' PDFs and page references, parts, ZIP, saving the files and publishing);
- WeasyPrint alone, laying out and writing the HTML ``export_bundle --html`` wrote for
  that sample (the renderer's HTML exactly, with its stylesheet and the same JPEG files);
- Chromium (headless, ``--print-to-pdf``) printing that same HTML file.

It prints each job's seconds (lowest/median/highest of the rounds), pages, size and the
peak memory of its largest process (Waymark's: the worker's or one of the processes it
lays the bundle out in; Chromium's: its largest), then Waymark's time over each engine's,
round by round, against the targets (at most 1.5 times Chromium's, at most 0.5 times
WeasyPrint's), and how Waymark's time and memory grow with the candidates. Not a test.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/waymark .venv/bin/python benchmarks/bundle.py

--candidates 30,60: the sizes; --rounds N (3); --smoke: 3 candidates, one round, to show that
it still runs (tests/test_benchmark_smoke.py). BENCHMARK_PROFILE=1: cProfile of Waymark's
job (the worker's process, not those it lays out in), in a run of its own before the rounds.
"""

import argparse
import io
import multiprocessing
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SCRATCH = Path(tempfile.mkdtemp(prefix="waymark-bundle-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
# The bundles and the evidence go to this run's own folder, removed at the end.
os.environ["EVIDENCE_ROOT"] = str(SCRATCH / "evidence")

import django

django.setup()

from django.db import connection
from PIL import Image, ImageDraw, ImageFilter
from pypdf import PdfReader

from e2e.chromium import CHROMIUM, CHROMIUM_ARGS

ITEMS = 5
SEED = ROOT / "units" / "data" / "ocr-unit-35-R-600-9587.txt"
TARGETS = {"Chromium": 1.5, "WeasyPrint": 0.5}  # Waymark's time over the engine's, at most


@dataclass
class Measured:
    seconds: float
    peak_mb: float
    pdf: Path


@dataclass
class Sample:
    candidates: int
    centre_id: int
    render_id: int
    html: Path


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


def build(candidates: int) -> Sample:
    """A centre of its own with ``candidates`` signed-off learners, their sample, its render
    asked for (queued, as the moderator's request leaves it) and its HTML exported."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from assessment.services import Judgement, assess_submission, countersign_unit, sign_off_unit
    from centre.models import Role
    from centre.services import add_member, save_centre, set_offered_units
    from common.scoping import centre_scope
    from learners.models import Enrolment, Learner
    from learners.services import allocate_assessor
    from moderation.bundle import request_bundle, write_bundle_html
    from moderation.selectors import candidates_of
    from moderation.services import create_moderation_sample
    from portfolio.models import EvidenceItem
    from portfolio.services import add_evidence_files, set_evidence_mappings, submit_evidence_item
    from tests.factories import valid_uln
    from units.selectors import unit_by_urn

    unit = unit_by_urn(urn="R/600/9587")
    centre, _ = save_centre(number=f"{20000 + candidates}", name=f"Benchmark College {candidates}")
    set_offered_units(centre=centre, urns=[unit.urn])
    prefix = f"c{candidates}"
    admin = add_member(centre=centre, email=f"{prefix}.admin@example.org", role=Role.CENTRE_ADMIN)[0].user
    assessors = [
        add_member(centre=centre, email=f"{prefix}.a{n}@example.org", role=Role.ASSESSOR)[0].user
        for n in range(3)
    ]
    criteria = [c for o in unit.learning_outcomes.all() for c in o.criteria.all()]
    with centre_scope(centre):
        enrolments = []
        for n in range(candidates):
            learner = Learner.objects.create(
                centre=centre,
                first_name="Learner",
                last_name=f"{n:04d}",
                email=f"{prefix}.l{n}@example.org",
                uln=valid_uln(400000000 + 1000 * candidates + 3 * n),
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
                item = EvidenceItem.objects.create(
                    centre=centre,
                    learner=learner,
                    kind="files",
                    title=f"Photo {i + 1}",
                    body="At the event.",
                    creation_token=f"00000000-0000-4000-{candidates:04d}-{n * ITEMS + i:012d}",
                )
                content = photograph(n * ITEMS + i)
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
        render = request_bundle(sample=sample, actor=admin)
        html = write_bundle_html(
            sample=sample, candidates=candidates_of(sample=sample), folder=SCRATCH / f"html-{candidates}"
        )
    return Sample(candidates=candidates, centre_id=centre.pk, render_id=render.pk, html=html)


def in_own_process(job, *args) -> Measured:
    """``job`` run in a fresh child process, so that each job's peak memory is its own (not
    a pool's daemonic worker: Waymark's job starts processes of its own)."""
    context = multiprocessing.get_context("fork")
    results = context.SimpleQueue()
    child = context.Process(target=_run_into, args=(results, job, *args))
    child.start()
    while results.empty():
        if not child.is_alive() and results.empty():
            raise RuntimeError(f"{job.__name__} ended without an answer (exit code {child.exitcode})")
        time.sleep(0.05)
    outcome = results.get()
    child.join()
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


def _run_into(results, job, *args) -> None:
    try:
        results.put(job(*args))
    except Exception as error:  # the parent raises it, with the job's message
        results.put(RuntimeError(f"{job.__name__}: {type(error).__name__}: {error}"))


def waymark(sample: Sample, output: Path, profile: bool) -> Measured:
    """The worker's whole job on the sample's render, queued again as a retry leaves it, in
    the centre's scope as the task runs it (``centre.tasks.centre_task``)."""
    from centre.models import Centre
    from common.scoping import centre_scope, scopes_disabled
    from moderation.models import BundleRender

    with scopes_disabled():
        centre = Centre.objects.get(pk=sample.centre_id)
    with centre_scope(centre):
        BundleRender.objects.filter(pk=sample.render_id).update(
            status=BundleRender.Status.QUEUED, pdf="", archive="", parts=[]
        )
        return _timed_render(sample, output, profile)


def _timed_render(sample: Sample, output: Path, profile: bool) -> Measured:
    from moderation.bundle import bundle_storage, run_bundle_render
    from moderation.models import BundleRender

    started = time.perf_counter()
    if profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        render = profiler.runcall(run_bundle_render, render_id=sample.render_id)
        seconds = time.perf_counter() - started
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    else:
        render = run_bundle_render(render_id=sample.render_id)
        seconds = time.perf_counter() - started
    if render.status != BundleRender.Status.DONE:
        raise RuntimeError(f"The render failed: {render.error}")
    with bundle_storage().open(render.pdf, "rb") as pdf:
        output.write_bytes(pdf.read())
    # Its largest process: this one, or one of those it laid the bundle out in.
    return Measured(seconds, max(peak_mb(resource.RUSAGE_SELF), peak_mb(resource.RUSAGE_CHILDREN)), output)


def weasyprint(sample: Sample, output: Path, profile: bool) -> Measured:
    from weasyprint import HTML

    started = time.perf_counter()
    HTML(filename=sample.html).write_pdf(output)
    return Measured(time.perf_counter() - started, peak_mb(resource.RUSAGE_SELF), output)


def chromium(sample: Sample, output: Path, profile: bool) -> Measured:
    started = time.perf_counter()
    subprocess.run(  # noqa: S603 (Debian's chromium, on our own file)
        [
            CHROMIUM,
            "--headless",
            *CHROMIUM_ARGS,
            "--no-pdf-header-footer",
            f"--print-to-pdf={output}",
            sample.html.as_uri(),
        ],
        check=True,
        capture_output=True,
    )
    return Measured(time.perf_counter() - started, peak_mb(resource.RUSAGE_CHILDREN), output)


def peak_mb(who) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


JOBS = {"Waymark": waymark, "WeasyPrint": weasyprint, "Chromium": chromium}


def spread(values) -> str:
    values = sorted(values)
    return "/".join(f"{v:.2f}" for v in (values[0], statistics.median(values), values[-1]))


def measure(sample: Sample, rounds: int, profile: bool) -> dict[str, list[Measured]]:
    names = list(JOBS)
    if profile:  # a run of its own, not timed: a profiler slows what it watches
        in_own_process(waymark, sample, SCRATCH / f"profiled-{sample.candidates}.pdf", True)
    results: dict[str, list[Measured]] = {name: [] for name in names}
    for round_number in range(rounds):
        order = names[round_number % 3 :] + names[: round_number % 3]
        for name in order:
            output = SCRATCH / f"{name.lower()}-{sample.candidates}-{round_number}.pdf"
            results[name].append(in_own_process(JOBS[name], sample, output, False))
    return results


def report(sample: Sample, results: dict[str, list[Measured]]) -> tuple[float, float]:
    rounds = len(results["Waymark"])
    print(f"\n{sample.candidates} candidates × {ITEMS} items with photographs, {rounds} round(s)")
    print(f"{'job':<12} {'seconds (low/median/high)':>26} {'pages':>6} {'MB':>6} {'peak MB':>8}")
    for name, measured in results.items():
        last = measured[-1].pdf
        print(
            f"{name:<12} {spread(m.seconds for m in measured):>26} {len(PdfReader(last).pages):>6} "
            f"{last.stat().st_size / 1024 / 1024:>6.1f} {max(m.peak_mb for m in measured):>8.0f}"
        )
    for engine, target in TARGETS.items():
        ratios = [w.seconds / e.seconds for w, e in zip(results["Waymark"], results[engine], strict=True)]
        verdict = "met" if max(ratios) <= target else "not met"
        print(f"Waymark over {engine}, round by round: {spread(ratios)} (target at most {target}: {verdict})")
    return statistics.median(m.seconds for m in results["Waymark"]), max(
        m.peak_mb for m in results["Waymark"]
    )


def report_growth(figures: dict[int, tuple[float, float]]) -> None:
    """Waymark's time and memory against the smallest size: growing no faster than the
    candidates do is growing at most linearly."""
    smallest = min(figures)
    seconds, peak = figures[smallest]
    print(f"\nWaymark's job as the candidates grow (against {smallest}):")
    for size, (size_seconds, size_peak) in sorted(figures.items()):
        print(
            f"  {size:>4} candidates (×{size / smallest:.0f}): {size_seconds:6.1f} s "
            f"(×{size_seconds / seconds:.2f}), peak {size_peak:5.0f} MB (×{size_peak / peak:.2f})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", default="30,60,120", help="sizes, comma-separated")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--smoke", action="store_true", help="3 candidates, one round")
    arguments = parser.parse_args()
    sizes = [3] if arguments.smoke else [int(n) for n in arguments.candidates.split(",")]
    rounds = 1 if arguments.smoke else arguments.rounds
    profile = bool(os.environ.get("BENCHMARK_PROFILE"))

    from units.parsing import parse_unit_file
    from units.services import import_unit

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        import_unit(spec=parse_unit_file(SEED.read_bytes()))
        samples = []
        for size in sizes:
            started = time.perf_counter()
            samples.append(build(size))
            print(f"{connection.vendor}: {size} candidates built in {time.perf_counter() - started:.0f} s")
        connection.close()
        figures = {sample.candidates: report(sample, measure(sample, rounds, profile)) for sample in samples}
        if len(figures) > 1:
            report_growth(figures)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        shutil.rmtree(SCRATCH, ignore_errors=True)


if __name__ == "__main__":
    main()
