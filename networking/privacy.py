"""What the networking app holds about a learner: the people in their network, their log
of contacts with them, their reviews of the network and their guidelines. Exported as an
assessor would see them presented: every contact who has not consented to sharing by
reference only."""

from collections import Counter

from common.personal_data import Export, PersonalData, Provider, register
from common.redaction import redactor_for
from learners.models import Learner
from networking.models import NetworkContact, NetworkingGuidelines, NetworkReview
from networking.selectors import Record, guidelines_of, network_record, pseudonymised, review_records_of


@register
class NetworkingProvider(Provider):
    models = (
        PersonalData(
            "networking.NetworkContact",
            ("learner", "name", "organisation", "email", "phone", "how_met", "they_offer", "you_offer"),
            "The people in the learner's network, as the learner records them (with their consent to share).",
        ),
        PersonalData(
            "networking.ContactInteraction",
            ("contact", "purpose", "outcome", "follow_up"),
            "The learner's log of their contacts with a person in their network.",
        ),
        PersonalData(
            "networking.NetworkReview",
            ("learner", "reflection", "future_actions"),
            "The learner's dated reviews of their network.",
        ),
        PersonalData(
            "networking.NetworkReviewEntry",
            ("contact", "group", "comment"),
            "One line of a review: what the learner thinks of a contact or group.",
        ),
        PersonalData(
            "networking.NetworkingGuidelines",
            ("learner", "body"),
            "The learner's own guidelines for working with networks.",
        ),
    )
    # After the evidence, which may present these records; before the learner's record,
    # which they point at.
    erase_order = 19

    def export(self, learner: Learner) -> Export:
        return Export(data={"networking.json": _networking(learner)})

    def erase(self, learner: Learner) -> dict[str, int]:
        """The learner's reviews (with their lines), contacts (with their interactions) and
        guidelines: the reviews first, so that no line is left pointing at nobody."""
        deleted: Counter[str] = Counter()
        for rows in (
            NetworkReview.objects.filter(learner=learner),
            NetworkContact.objects.filter(learner=learner),
            NetworkingGuidelines.objects.filter(learner=learner),
        ):
            deleted.update(rows.delete()[1])
        return dict(deleted)


def _networking(learner: Learner) -> dict:
    """The learner's register, reviews and guidelines, as an assessor would see them
    presented: contacts who have not consented by reference only."""
    register = network_record(learner=learner, details={"record": Record.REGISTER}, pseudonymise=False)
    # Each review is pseudonymised as the record it is, as an assessor sees it presented
    # (a line about a contact who has not consented names their reference and sector).
    redactor = redactor_for(learner=learner)
    reviews = [
        redactor.snapshot({"record": Record.REVIEW, "review": review})["review"]
        for review in review_records_of(learner=learner)
    ]
    guidelines = guidelines_of(learner=learner)
    return pseudonymised(
        {
            "contacts": register["contacts"],
            "reviews": reviews,
            "guidelines": {"body": guidelines.body, "updated_at": guidelines.updated_at}
            if guidelines
            else None,
        },
        learner=learner,
    )
