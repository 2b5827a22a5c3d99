from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from audit.services import record_audit
from centre.selectors import centre_by_number
from common.scoping import centre_scope
from moderation.bundle import render_bundle, split_into_parts, write_bundle_html
from moderation.models import ModerationSample
from moderation.selectors import candidates_of
from units.selectors import unit_by_urn


class Command(BaseCommand):
    help = (
        "Render the moderation bundle of a centre's latest moderation sample for a unit: the PDF "
        "at --output and the ZIP of original files and manifest beside it; a bundle over "
        "--part-max-bytes also as parts beside it, for sending by email. With --html, the HTML "
        "the renderer lays out, with its stylesheet and images, for another engine to print."
    )

    def add_arguments(self, parser):
        parser.add_argument("--centre", required=True, help="The five-digit centre number.")
        parser.add_argument("--unit", required=True, help="The unit reference number, e.g. R/600/9587.")
        parser.add_argument("--candidates", default="", help="Candidate numbers to include, e.g. 0001,0002.")
        parser.add_argument("--output", help="Where to write the PDF (the ZIP goes beside it).")
        parser.add_argument(
            "--html",
            metavar="DIRECTORY",
            help="Write DIRECTORY/bundle.html, the whole bundle's HTML exactly as the renderer lays "
            "it out in one process, with its stylesheet and images beside it under the relative "
            "names it uses.",
        )
        parser.add_argument(
            "--part-max-bytes",
            type=int,
            default=None,
            metavar="N",
            help="A bundle larger than this is also written as parts of at most N bytes each, "
            "beside it: PATH-part-1-of-3.pdf, … (default: the BUNDLE_PART_MAX_BYTES setting).",
        )

    def handle(self, *args, centre, unit, candidates, output=None, html=None, part_max_bytes=None, **options):
        if output is None and html is None:
            raise CommandError(
                "Give --output PATH.pdf for the bundle, --html DIRECTORY for its HTML, or both."
            )
        if part_max_bytes is None:
            part_max_bytes = settings.BUNDLE_PART_MAX_BYTES
        if part_max_bytes < 1:
            raise CommandError("--part-max-bytes must be a positive number of bytes.")
        found_centre = centre_by_number(number=centre)
        if found_centre is None:
            raise CommandError(f"There is no centre {centre}.")
        found_unit = unit_by_urn(urn=unit)
        if found_unit is None:
            raise CommandError(f"There is no unit {unit} in the catalogue.")
        if output is not None:
            output = Path(output)
            if output.suffix.lower() != ".pdf":
                raise CommandError("--output must name a .pdf file.")
        if html is not None:
            html = Path(html)
            if html.exists() and not html.is_dir():
                raise CommandError(f"--html must name a directory: {html} is a file.")
        wanted = [number.strip() for number in candidates.split(",") if number.strip()]
        with centre_scope(found_centre):
            sample = ModerationSample.objects.filter(centre=found_centre, unit=found_unit).first()
            if sample is None:
                raise CommandError(f"Centre {centre} has no moderation sample for {unit}.")
            chosen = candidates_of(sample=sample, candidate_numbers=wanted or None)
            missing = sorted(set(wanted) - {c.learner.candidate_number for c in chosen})
            if missing:
                raise CommandError(f"Not in the sample: candidate {', '.join(missing)}.")
            if html is not None:
                self._write_html(sample, chosen, html)
            if output is not None:
                self._write_bundle(sample, chosen, output, part_max_bytes)

    def _write_html(self, sample, chosen, folder: Path) -> None:
        page = write_bundle_html(sample=sample, candidates=chosen, folder=folder)
        record_audit(
            actor=None,
            verb="moderation.bundle_html_exported",
            target=sample,
            centre=sample.centre,
            unit=sample.unit,
            details={"enrolments": [c.sampled.enrolment_id for c in chosen]},
        )
        self.stdout.write(
            self.style.SUCCESS(f"Wrote {page} ({len(chosen)} candidates), its stylesheet and images.")
        )

    def _write_bundle(self, sample, chosen, output: Path, part_max_bytes: int) -> None:
        rendered = render_bundle(sample=sample, candidates=chosen)
        output.parent.mkdir(parents=True, exist_ok=True)
        archive = output.with_suffix(".zip")
        output.write_bytes(rendered.pdf)
        archive.write_bytes(rendered.archive)
        parts = []
        if len(rendered.pdf) > part_max_bytes:
            pieces = split_into_parts(rendered, max_bytes=part_max_bytes)
            for n, piece in enumerate(pieces, start=1):
                part = output.with_name(f"{output.stem}-part-{n}-of-{len(pieces)}.pdf")
                part.write_bytes(piece)
                parts.append(part)
        record_audit(
            actor=None,
            verb="moderation.bundle_exported",
            target=sample,
            centre=sample.centre,
            unit=sample.unit,
            details={"enrolments": [c.sampled.enrolment_id for c in chosen], "pages": rendered.pages},
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {output} ({rendered.pages} pages, {len(chosen)} candidates) and {archive}."
            )
        )
        if parts:
            self.stdout.write(
                f"It is over {part_max_bytes} bytes, so it is also in {len(parts)} parts for email: "
                + ", ".join(part.name for part in parts)
            )
