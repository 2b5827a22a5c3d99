"""What the centre app holds about a learner: their roles in the centre. The centre's own
guidance and prompts are written for all its learners and name none."""

from centre.models import Membership, Role
from common.personal_data import Export, NoPersonalData, PersonalData, Provider, register


@register
class CentreProvider(Provider):
    models = (PersonalData("centre.Membership", ("user", "role"), "What a person may do in one centre."),)
    no_personal_data = (
        NoPersonalData(
            "centre.UnitGuidance", "The centre's guidance on a unit, written for all its learners."
        ),
        NoPersonalData(
            "networking.NetworkingPrompt",
            "What the centre asks all its learners to cover in their networking guidelines.",
        ),
    )
    # After the learner's record, before their account.
    erase_order = 30

    def export(self, learner) -> Export:
        if learner.user_id is None:
            return Export()
        memberships = Membership.objects.filter(centre=learner.centre, user_id=learner.user_id)
        return Export(
            data={
                "learner.json": {
                    "roles_at_this_centre": [
                        {
                            "role": membership.get_role_display(),
                            "active": membership.is_active,
                            "since": membership.created_at,
                        }
                        for membership in memberships.order_by("created_at", "pk")
                    ]
                }
            }
        )

    def erase(self, learner) -> dict[str, int]:
        """The learner role that came with the record, unless another record of the same
        account in this centre still needs it. Any staff role they hold stays."""
        # Other records are read through the learner's own model, which the centre app,
        # below learners, does not import.
        if (
            learner.user_id is None
            or type(learner)
            .objects.filter(centre=learner.centre, user_id=learner.user_id)
            .exclude(pk=learner.pk)
            .exists()
        ):
            return {}
        return Membership.objects.filter(
            centre=learner.centre, user_id=learner.user_id, role=Role.LEARNER
        ).delete()[1]
