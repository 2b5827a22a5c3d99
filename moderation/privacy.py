"""What assessment and quality assurance hold about a learner: decisions, sign-offs, IQA
samples and moderation samples. Exported with staff named by their role; erased first of
all, since IQA samples and moderation samples protect the enrolments they sample."""

from collections import Counter

from assessment.models import CriterionDecision, UnitSignOff
from assessment.selectors import sheet_for_staff
from common.personal_data import Export, PersonalData, Provider, register
from common.redaction import Redactor, redactor_for
from iqa.models import IqaAction, IqaSample
from learners.models import Enrolment, Learner
from moderation.bundle import discard_bundles_of
from moderation.models import ModerationSample, SampledLearner

ASSESSOR = "your assessor"
IQA = "the internal quality assurer"
CENTRE_ADMIN = "a centre admin"


@register
class ModerationProvider(Provider):
    models = (
        PersonalData(
            "assessment.CriterionDecision",
            ("enrolment", "assessor", "feedback", "evidence"),
            "The assessor's judgement of each criterion for a learner, with their feedback.",
        ),
        PersonalData(
            "assessment.UnitSignOff",
            (
                "enrolment",
                "assessor",
                "assessor_name",
                "recording_sheet",
                "learner_name",
                "learner_declaration",
                "reopened_by",
                "reopen_reason",
            ),
            "The unit recording sheet as signed off by the assessor and countersigned by the learner.",
        ),
        PersonalData("iqa.SamplingPlan", ("created_by",), "Which IQA set a unit's sampling plan (staff)."),
        PersonalData(
            "iqa.AssessorRisk",
            ("assessor", "level"),
            "How closely an assessor's decisions are sampled (about the assessor, not learners).",
        ),
        PersonalData(
            "iqa.IqaSample",
            ("enrolment", "iqa", "comments"),
            "An IQA's sample of one learner's assessment and their verdict on it.",
        ),
        PersonalData(
            "iqa.IqaAction",
            ("required", "response", "closed_by"),
            "What an IQA required of the assessor after sampling a learner, and the answer.",
        ),
        PersonalData(
            "moderation.ModerationSample",
            ("created_by",),
            "Which centre admin sent a unit's sample to the awarding body's moderator (staff).",
        ),
        PersonalData(
            "moderation.SampledLearner",
            ("enrolment", "sign_off"),
            "Which learners' signed-off work is in a moderation sample.",
        ),
        PersonalData(
            "moderation.ModerationSampleUserObjectPermission",
            ("user",),
            "A moderator's permission to see one sample (staff).",
        ),
        PersonalData(
            "moderation.ModeratorAccess",
            ("moderator", "granted_by"),
            "A moderator's time-limited access to one sample (staff).",
        ),
        PersonalData(
            "moderation.BundleRender",
            ("requested_by", "pdf", "archive", "parts", "error"),
            "A rendered moderation bundle: copies of the sampled learners' evidence and recording sheets.",
        ),
    )
    erase_order = 10

    def export(self, learner: Learner) -> Export:
        enrolments = Enrolment.objects.filter(learner=learner)
        decisions = (
            CriterionDecision.objects.filter(enrolment__in=enrolments)
            .select_related("criterion", "enrolment__unit")
            .prefetch_related("evidence")
            .order_by("decided_at", "pk")
        )
        sign_offs = (
            UnitSignOff.objects.filter(enrolment__in=enrolments)
            .select_related("enrolment__unit")
            .order_by("signed_at", "pk")
        )
        samples = (
            IqaSample.objects.filter(enrolment__in=enrolments)
            .select_related("enrolment__unit")
            .order_by("started_at", "pk")
        )
        moderation = (
            ModerationSample.objects.filter(learners__enrolment__in=enrolments)
            .select_related("unit")
            .prefetch_related("accesses")
            .distinct()
            .order_by("created_at", "pk")
        )
        # The frozen sheets name the evidence by the learner's titles: as everywhere else,
        # a contact who did not consent only by stand-in.
        redactor = redactor_for(learner=learner)
        return Export(
            data={
                "decisions.json": {
                    "criterion_decisions": [_decision(decision) for decision in decisions],
                    "sign_offs": [_sign_off(sign_off, redactor=redactor) for sign_off in sign_offs],
                    "iqa_samples": [_iqa_sample(sample) for sample in samples],
                    "moderation_samples": [
                        {
                            "unit": sample.unit.urn,
                            "sampled_at": sample.created_at,
                            "moderator_access_ends": [access.ends_at for access in sample.accesses.all()],
                        }
                        for sample in moderation
                    ],
                }
            }
        )

    def erase(self, learner: Learner) -> dict[str, int]:
        """Everything here about the learner alone, in the order their protections
        demand: IQA actions, then IQA samples, the learner's place in moderation samples
        (a sample left with nobody goes too) and the bundles that copied their evidence
        (deleted from storage on commit; the moderator can ask for them again), then
        decisions and sign-offs."""
        enrolments = Enrolment.objects.filter(learner=learner)
        deleted: Counter[str] = Counter()
        deleted.update(IqaAction.objects.filter(sample__enrolment__in=enrolments).delete()[1])
        # The one removal of IQA samples, which refuse it otherwise (IqaSampleQuerySet):
        # the learner's records are past retention, or erased by right.
        deleted.update(IqaSample._base_manager.filter(enrolment__in=enrolments).delete()[1])
        deleted["moderation.BundleRender"] += discard_bundles_of(learner_id=learner.pk)
        sampled = SampledLearner.objects.filter(enrolment__in=enrolments)
        sample_ids = set(sampled.values_list("sample_id", flat=True))
        deleted.update(sampled.delete()[1])
        deleted.update(ModerationSample.objects.filter(pk__in=sample_ids, learners__isnull=True).delete()[1])
        deleted.update(CriterionDecision.objects.filter(enrolment__in=enrolments).delete()[1])
        deleted.update(UnitSignOff.objects.filter(enrolment__in=enrolments).delete()[1])
        return dict(deleted)


def _decision(decision: CriterionDecision) -> dict:
    return {
        "unit": decision.enrolment.unit.urn,
        "criterion": decision.criterion.code,
        "sequence": decision.sequence,
        "outcome": decision.get_outcome_display(),
        "feedback": decision.feedback,
        "decided_at": decision.decided_at,
        "decided_by": ASSESSOR,
        "evidence": [
            {"item": version.item_id, "version": version.number} for version in decision.evidence.all()
        ],
    }


def _iqa_sample(sample: IqaSample) -> dict:
    return {
        "unit": sample.enrolment.unit.urn,
        "stage": sample.get_stage_display(),
        "sampled_by": IQA,
        "started_at": sample.started_at,
        "verdict": sample.get_verdict_display(),
        "comments": sample.comments,
        "recorded_at": sample.recorded_at,
    }


def _sign_off(sign_off: UnitSignOff, *, redactor: Redactor) -> dict:
    return {
        "unit": sign_off.enrolment.unit.urn,
        "signed_at": sign_off.signed_at,
        "signed_by": ASSESSOR,
        "assessor_declaration": sign_off.assessor_declaration,
        "learner_name": sign_off.learner_name,
        "learner_declaration": sign_off.learner_declaration,
        "countersigned_at": sign_off.countersigned_at,
        "reopened_at": sign_off.reopened_at,
        "reopened_by": CENTRE_ADMIN if sign_off.reopened_at else "",
        "reopen_reason": sign_off.reopen_reason,
        # The sheet as frozen, but for who decided each criterion: always the assessor.
        "recording_sheet": [
            {key: value for key, value in row.items() if key != "assessor"}
            for row in sheet_for_staff(sign_off.recording_sheet, redactor=redactor)["criteria"]
        ],
    }
