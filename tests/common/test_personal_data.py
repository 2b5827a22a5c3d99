"""Every model that may hold personal data is declared by exactly one privacy provider, so
subject access and erasure reach it (the way Moodle's privacy API guards its tables)."""

from django.apps import apps
from django.conf import settings

from common.personal_data import (
    NoPersonalData,
    PersonalData,
    Provider,
    coverage_problems,
    models_needing_a_provider,
    providers,
)


def test_every_model_that_may_hold_personal_data_has_exactly_one_provider():
    problems = coverage_problems(models_needing_a_provider(), providers())
    assert not problems, "Declare these in the app's privacy.py:\n" + "\n".join(problems)


def test_every_waymark_app_has_a_provider():
    assert {type(provider).__module__ for provider in providers()} == {
        "accounts.privacy",
        "audit.privacy",
        "centre.privacy",
        "learners.privacy",
        "moderation.privacy",
        "networking.privacy",
        "portfolio.privacy",
        "privacy.privacy",
        "units.privacy",
    }


def test_the_guard_asks_about_models_pointing_at_people_or_holding_free_text():
    asked = {model._meta.label for model in models_needing_a_provider()}
    # Pointing at the user, a learner, a learner's contact; holding text or JSON.
    assert {
        "accounts.User",
        "centre.Membership",
        "learners.Learner",
        "networking.NetworkReviewEntry",
        "audit.AuditRecord",
        "centre.UnitGuidance",
        "moderation.BundleRender",
        "privacy.RetentionHold",
        "units.UnitPage",
        # Through other rows: a file of an evidence item of a learner.
        "portfolio.EvidenceFile",
        "networking.ContactInteraction",
        # An email or network address.
        "accounts.SignInFailure",
    } <= asked
    # Neither: a centre and the units it offers.
    assert not {"centre.Centre", "centre.OfferedUnit"} & asked
    # Only Waymark's own apps: not Wagtail's, Django's or the test suite's stand-in models.
    assert {model._meta.app_label for model in models_needing_a_provider()} <= set(settings.WAYMARK_APPS)


def test_the_guard_names_a_model_that_no_provider_covers():
    # The learner's own records: their record, their evidence and their networking records.
    theirs = {"learners.privacy", "portfolio.privacy", "networking.privacy"}
    without_learners = [p for p in providers() if type(p).__module__ not in theirs]

    problems = coverage_problems(models_needing_a_provider(), without_learners)

    assert "networking.NetworkContact has no privacy provider." in problems
    assert "portfolio.EvidenceItem has no privacy provider." in problems
    assert not any(problem.startswith("moderation.") for problem in problems)


def test_the_guard_refuses_a_model_declared_twice_a_field_it_lacks_and_a_missing_reason():
    class Twice(Provider):
        models = (PersonalData("learners.Learner", ("first_name", "shoe_size"), "Who they are."),)
        no_personal_data = (NoPersonalData("centre.UnitGuidance", ""),)

    problems = coverage_problems(
        [apps.get_model("learners.Learner"), apps.get_model("centre.UnitGuidance")], [*providers(), Twice()]
    )

    assert "learners.Learner is declared by more than one provider: LearnersProvider, Twice." in problems
    assert "learners.Learner has no field 'shoe_size' (Twice declares it)." in problems
    assert "Twice gives no reason why centre.UnitGuidance holds no personal data." in problems


def test_erasure_runs_what_protects_enrolments_first_and_the_account_last():
    order = [type(provider).__name__ for provider in providers()]
    assert order.index("ModerationProvider") < order.index("LearnersProvider")
    # The evidence (whose stored files go with it) and networking records before the
    # learner's record, whose deletion would take them with it.
    assert order.index("ModerationProvider") < order.index("PortfolioProvider")
    assert order.index("PortfolioProvider") < order.index("LearnersProvider")
    assert order.index("NetworkingProvider") < order.index("LearnersProvider")
    assert order.index("LearnersProvider") < order.index("CentreProvider") < order.index("AccountsProvider")
