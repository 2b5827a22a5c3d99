"""The internal quality assurer's view of a recording sheet, and the evidence it names."""

import re

from django.urls import reverse

from centre.models import Role
from common.scoping import centre_scope
from iqa.services import save_sampling_plan, start_samples
from tests.factories import submitted_evidence
from tests.moderation.conftest import decide, member


def test_each_evidence_reference_on_the_iqas_recording_sheet_opens_that_version(
    client, enrolment, centre_a, centre_b
):
    with centre_scope(centre_a):
        item = submitted_evidence(enrolment, title="Networking benefits", codes=("1.1", "1.2"))
        version = item.versions.get()
        file_id = version.files.get().pk
        for code in ("1.1", "1.2"):
            decision = decide(enrolment, code, feedback=f"Clear on {code}.")
            decision.evidence.set([version])
        iqa = member(centre_a, Role.IQA)
        plan = save_sampling_plan(
            centre=centre_a,
            unit=enrolment.unit,
            actor=iqa,
            standard_rate=25,
            higher_rate=50,
            methods=[],
            risks={},
        )
        (sample,) = start_samples(plan=plan, iqa=iqa, picks=[(enrolment.pk, "interim")])
    client.force_login(iqa)
    page = client.get(reverse("iqa:sample", kwargs={"iqa_sample_id": sample.pk})).content.decode()
    target = reverse("iqa:evidence_version", kwargs={"item_id": item.pk, "number": 1})
    links = re.findall(rf'<a href="{re.escape(target)}">Networking benefits \(version 1\)</a>', page)
    assert len(links) == 2  # one per criterion it is the evidence of
    opened = client.get(target).content.decode()
    assert "Networking benefits" in opened and "It shows 1.1." in opened and "Clear on 1.2." in opened
    assert reverse("portfolio:file", kwargs={"file_id": file_id}) in opened
    # Not for an assessor's eyes through this page, nor another centre's IQA.
    client.force_login(enrolment.assessor)
    assert client.get(target).status_code == 403
    client.force_login(member(centre_b, Role.IQA))
    assert client.get(target).status_code == 404
