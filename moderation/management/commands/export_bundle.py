from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from audit.services import record_audit
from centre.scoping import centre_scope
from centre.selectors import centre_by_number
from moderation.bundle import render_bundle
from moderation.models import ModerationSample
from moderation.sample_selectors import candidates_of
from units.selectors import unit_by_urn


class Command(BaseCommand):
    help = (
        "Render the moderation bundle of a centre's latest moderation sample for a unit: the PDF "
        "at --output and the ZIP of original files and manifest beside it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--centre", required=True, help="The five-digit centre number.")
        parser.add_argument("--unit", required=True, help="The unit reference number, e.g. R/600/9587.")
        parser.add_argument("--candidates", default="", help="Candidate numbers to include, e.g. 0001,0002.")
        parser.add_argument(
            "--output", required=True, help="Where to write the PDF (the ZIP goes beside it)."
        )

    def handle(self, *args, centre, unit, candidates, output, **options):
        found_centre = centre_by_number(number=centre)
        if found_centre is None:
            raise CommandError(f"There is no centre {centre}.")
        found_unit = unit_by_urn(urn=unit)
        if found_unit is None:
            raise CommandError(f"There is no unit {unit} in the catalogue.")
        output = Path(output)
        if output.suffix.lower() != ".pdf":
            raise CommandError("--output must name a .pdf file.")
        wanted = [number.strip() for number in candidates.split(",") if number.strip()]
        with centre_scope(found_centre):
            sample = ModerationSample.objects.filter(centre=found_centre, unit=found_unit).first()
            if sample is None:
                raise CommandError(f"Centre {centre} has no moderation sample for {unit}.")
            chosen = candidates_of(sample=sample, candidate_numbers=wanted or None)
            missing = sorted(set(wanted) - {c.learner.candidate_number for c in chosen})
            if missing:
                raise CommandError(f"Not in the sample: candidate {', '.join(missing)}.")
            rendered = render_bundle(sample=sample, candidates=chosen)
            output.parent.mkdir(parents=True, exist_ok=True)
            archive = output.with_suffix(".zip")
            output.write_bytes(rendered.pdf)
            archive.write_bytes(rendered.archive)
            record_audit(
                actor=None,
                verb="moderation.bundle_exported",
                target=sample,
                centre=found_centre,
                unit=found_unit,
                details={"enrolments": [c.sampled.enrolment_id for c in chosen], "pages": rendered.pages},
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {output} ({rendered.pages} pages, {len(chosen)} candidates) and {archive}."
            )
        )
