"""What the privacy app itself holds about a learner: holds on their records."""

from common.personal_data import Export, PersonalData, Provider, register
from learners.models import Learner
from privacy.models import RetentionHold


@register
class PrivacyProvider(Provider):
    models = (
        PersonalData(
            "privacy.RetentionHold",
            ("learner", "reason", "placed_by"),
            "Why a learner's records are kept past their retention period, such as an appeal.",
        ),
    )
    # Before the learner's record, which holds point at.
    erase_order = 15

    def export(self, learner: Learner) -> Export:
        holds = RetentionHold.objects.filter(learner=learner).order_by("placed_at", "pk")
        return Export(
            data={
                "learner.json": {
                    "retention": {
                        "years_kept_after_assessment": learner.centre.retention_years,
                        "holds": [
                            {
                                "reason": hold.reason,
                                "placed_by": "centre staff",
                                "placed_at": hold.placed_at,
                                "released_at": hold.released_at,
                            }
                            for hold in holds
                        ],
                    }
                }
            }
        )

    def erase(self, learner: Learner) -> dict[str, int]:
        """Released holds only: erasure refuses to run while one is open."""
        return RetentionHold.objects.filter(learner=learner).delete()[1]
