"""What an external moderator may see: the samples their unexpired, unrevoked access
covers, and within them exactly the sampled learners' assessment records."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from assessment.selectors import HistoryEntry, assessment_history, sheet_for_staff
from common.redaction import redactors_for
from iqa.models import IqaSample
from moderation.models import BundleRender, ModerationSample, ModeratorAccess, SampledLearner
from moderation.policies import MODERATE, moderation_sample_policy
from portfolio.models import EvidenceFile, EvidenceVersion


def samples_for_moderator(*, centre, moderator) -> QuerySet[ModerationSample]:
    """Samples of ``centre`` that ``moderator`` may moderate (``moderation.policies``):
    their access to it has neither expired nor been revoked, as of this moment."""
    return (
        moderation_sample_policy.instances_user_has_permission_for(moderator, MODERATE)
        .filter(centre=centre)
        .select_related("unit")
    )


def samples_of_centre(*, centre) -> QuerySet[ModerationSample]:
    """The centre's moderation samples, newest first, with their learners and the
    moderators given access, for the centre admin's list."""
    return (
        ModerationSample.objects.filter(centre=centre)
        .select_related("unit")
        .prefetch_related("learners", "accesses__moderator")
    )


def accesses_to(*, sample: ModerationSample) -> QuerySet[ModeratorAccess]:
    """Every access given to ``sample``, newest first, each with ``is_live``: whether it is
    open now (``ModeratorAccess.objects.live()``)."""
    return sample.accesses.select_related("moderator").annotate(
        is_live=Exists(ModeratorAccess.objects.live().filter(pk=OuterRef("pk")))
    )


def latest_render_for(*, sample: ModerationSample, user) -> BundleRender | None:
    """The bundle of ``sample`` that ``user`` asked for last, if any."""
    return sample.renders.filter(requested_by=user).first()


def sampled_learners(*, sample: ModerationSample) -> QuerySet[SampledLearner]:
    return sample.learners.select_related(
        "enrolment__learner", "enrolment__assessor", "sign_off__reopened_by"
    ).order_by("enrolment__learner__candidate_number")


@dataclass(frozen=True, slots=True)
class SampledRow:
    """One line of the moderator's list of a sample's learners: the learner and the
    sign-off they were sampled with."""

    enrolment_id: int
    candidate_number: str
    first_name: str
    last_name: str
    assessor_name: str
    signed_at: datetime.datetime
    reopened_at: datetime.datetime | None
    # Who reopened it, by name or else email (``User.get_full_name``, as staff lists name
    # people); None when nobody is recorded.
    reopened_by: str | None
    reopen_reason: str


def sampled_learner_rows(*, sample: ModerationSample) -> list[SampledRow]:
    """``sample``'s learners by candidate number, as the moderator's list of them shows
    them (``sampled_learners``' order), read as values in one query: no recording sheets
    and no model instances, whatever the sample's size."""
    rows = sample.learners.order_by("enrolment__learner__candidate_number").values_list(
        "enrolment_id",
        "enrolment__learner__candidate_number",
        "enrolment__learner__first_name",
        "enrolment__learner__last_name",
        "sign_off__assessor_name",
        "sign_off__signed_at",
        "sign_off__reopened_at",
        "sign_off__reopen_reason",
        "sign_off__reopened_by_id",
        "sign_off__reopened_by__first_name",
        "sign_off__reopened_by__last_name",
        "sign_off__reopened_by__email",
    )
    return [
        SampledRow(
            enrolment_id=enrolment_id,
            candidate_number=candidate_number,
            first_name=first_name,
            last_name=last_name,
            assessor_name=assessor_name,
            signed_at=signed_at,
            reopened_at=reopened_at,
            reopened_by=(None if reopened_by_id is None else f"{by_first} {by_last}".strip() or by_email),
            reopen_reason=reopen_reason,
        )
        for (
            enrolment_id,
            candidate_number,
            first_name,
            last_name,
            assessor_name,
            signed_at,
            reopened_at,
            reopen_reason,
            reopened_by_id,
            by_first,
            by_last,
            by_email,
        ) in rows
    ]


@dataclass
class Candidate:
    """One sampled learner with everything the moderator sees of them."""

    sampled: SampledLearner
    versions: list[EvidenceVersion]
    iqa_samples: list[IqaSample] = field(default_factory=list)
    # The assessment as it happened: decisions with feedback, returns, sign-offs, reopenings.
    history: list[HistoryEntry] = field(default_factory=list)

    @property
    def learner(self):
        return self.sampled.enrolment.learner

    @property
    def sheet(self) -> dict:
        return self.sampled.sign_off.recording_sheet

    @property
    def files(self) -> list[EvidenceFile]:
        return [file for version in self.versions for file in version.files.all()]


def candidates_of(*, sample: ModerationSample, candidate_numbers: list[str] | None = None) -> list[Candidate]:
    """The sampled learners with the evidence their sign-off was made on (the versions
    its recording sheet names), the IQA's samples of them and the history of their
    assessment: a fixed number of queries.

    As the moderator may see them: what each learner wrote (snapshots, file names, the
    titles on the recording sheet and in the history) is redacted in these copies, read
    for showing only, so the moderator's pages, the bundle, its ZIP and manifest all show
    contacts who have not consented by stand-in alone."""
    sampled = list(sampled_learners(sample=sample))
    if candidate_numbers:
        sampled = [s for s in sampled if s.enrolment.learner.candidate_number in candidate_numbers]
    wanted = {
        s.pk: {
            (e["item"], e["version"])
            for row in s.sign_off.recording_sheet["criteria"]
            for e in row["evidence"]
        }
        for s in sampled
    }
    item_ids = {item for pairs in wanted.values() for item, _ in pairs}
    versions = list(
        EvidenceVersion.objects.filter(item_id__in=item_ids)
        .select_related("item")
        .prefetch_related(Prefetch("files", queryset=EvidenceFile.objects.order_by("pk")))
        .order_by("submitted_at", "pk")
    )
    iqa = {}
    for iqa_sample in (
        IqaSample.objects.filter(enrolment__in=[s.enrolment_id for s in sampled])
        .select_related("iqa")
        .prefetch_related("actions")
        .order_by("started_at")
    ):
        iqa.setdefault(iqa_sample.enrolment_id, []).append(iqa_sample)
    history = assessment_history(enrolments=[s.enrolment_id for s in sampled])
    redactors = redactors_for(learner_ids={s.enrolment.learner_id for s in sampled})
    for s in sampled:
        redactor = redactors[s.enrolment.learner_id]
        s.sign_off.recording_sheet = sheet_for_staff(s.sign_off.recording_sheet, redactor=redactor)
    for version in versions:
        redactor = redactors[version.item.learner_id]
        version.snapshot = redactor.snapshot(version.snapshot)
        for evidence_file in version.files.all():
            evidence_file.original_name = redactor.file_name(evidence_file.original_name)
    redacted = set()
    for s in sampled:
        redactor = redactors[s.enrolment.learner_id]
        for entry in history[s.enrolment_id]:
            for version in entry.versions:
                if id(version) not in redacted:
                    version.snapshot = redactor.snapshot(version.snapshot)
                    redacted.add(id(version))
    return [
        Candidate(
            sampled=s,
            versions=[v for v in versions if (v.item_id, v.number) in wanted[s.pk]],
            iqa_samples=iqa.get(s.enrolment_id, []),
            history=history[s.enrolment_id],
        )
        for s in sampled
    ]
