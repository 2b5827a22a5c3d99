"""The redactor on its own: every way a learner writes a contact, and nothing else."""

import pytest

from common.redaction import Identity, Redactor, redactor_for, redactors_for


def identity(name, *, email="", phone="", number=2, organisation=False):
    return Identity(
        contact_id=number,
        number=number,
        pseudonym=f"Contact C{number}, finance sector",
        stand_in=f"Contact C{number}",
        is_organisation=organisation,
        names=frozenset([name]),
        emails=frozenset([email] if email else []),
        phones=frozenset([phone] if phone else []),
    )


ZEPHYRINE = identity(
    "Zéphyrine Oyelaran-Whitcombe", email="zephyrine.ow@example.org", phone="+44 7912 900987"
)


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("Zéphyrine Oyelaran-Whitcombe", "Contact C2"),
        ("Zephyrine Oyelaran-Whitcombe", "Contact C2"),
        ("Zephyrine Oyelaran Whitcombe", "Contact C2"),
        ("zephyrine oyelaran\u2011whitcombe", "Contact C2"),  # non-breaking hyphen
        ("Zéphyrine Oyelaran–Whitcombe", "Contact C2"),  # en dash
        ("Ze\u0301phyrine\u00a0Oyelaran-Whitcombe", "Contact C2"),  # decomposed accent, nbsp
        ("ZÉPHYRINE OYELARAN-WHITCOMBE", "Contact C2"),
        ("I met Oyelaran–Whitcombe.", "I met Contact C2."),
        ("Ms Whitcombe said", "Ms Contact C2 said"),
        ("zéphyrine’s plan", "Contact C2’s plan"),
        ("Write to Zephyrine.OW@example.org today", "Write to Contact C2 today"),
        ("or zephyrine.ow", "or Contact C2"),
        (
            "Ring 07912 900987, +44 (0)7912-900-987 or 07912900987",
            "Ring Contact C2, Contact C2 or Contact C2",
        ),
        ("Zephyrine_Oyelaran-Whitcombe reference.pdf", "Contact C2 reference.pdf"),
        ("Whitcombes and Zephyrines", "Whitcombes and Zephyrines"),  # other words
    ],
)
def test_every_spelling_of_a_contact_is_replaced_whole(written, shown):
    assert Redactor([ZEPHYRINE]).text(written) == shown


def test_a_name_typed_without_its_accent_is_replaced_whole_not_half():
    sean = identity("Seán O’Brien")
    assert (
        Redactor([sean]).text("Sean OBrien and sean o'brien met Seán")
        == "Contact C2 and Contact C2 met Contact C2"
    )


def test_a_short_surname_alone_is_replaced_after_a_title():
    redactor = Redactor([identity("Mei Ng")])
    assert redactor.text("Ms Ng and Dr. ng met Mei Ng") == "Contact C2 and Contact C2 met Contact C2"
    assert redactor.text("Ng is also a syllable") == "Ng is also a syllable"


def test_words_someone_who_may_be_named_shares_stay():
    redactor = Redactor([ZEPHYRINE], keep=["Priya Whitcombe"])
    assert (
        redactor.text("Priya Whitcombe and Zephyrine Oyelaran-Whitcombe") == "Priya Whitcombe and Contact C2"
    )


def test_an_organisation_is_replaced_only_by_its_whole_name():
    redactor = Redactor([identity("Harbour Bank", organisation=True)])
    assert redactor.text("The harbour bank, by the harbour") == "The Contact C2, by the harbour"


def test_the_learners_words_are_redacted_only_under_free_text_keys():
    snapshot = {
        "title": "Zephyrine",
        "details": {"witness_name": "Zephyrine", "witnessed_on": "2026-02-01"},
        "files": [{"name": "zephyrine.pdf", "sha256": "zephyrine"}],
        "kind": "zephyrine",
    }
    assert Redactor([ZEPHYRINE]).snapshot(snapshot) == {
        "title": "Contact C2",
        "details": {"witness_name": "Contact C2", "witnessed_on": "2026-02-01"},
        "files": [{"name": "Contact C2.pdf", "sha256": "zephyrine"}],
        "kind": "zephyrine",
    }


def test_a_learners_redactor_is_one_query_and_built_once(learner, in_centre_a, django_assert_num_queries):
    from tests.factories.networking import contact

    contact(learner, "Priya Shah")
    contact(learner, "Zéphyrine Oyelaran-Whitcombe", consented=False, email="z@example.org")
    with django_assert_num_queries(2):
        first = redactor_for(learner=learner)
    assert first.text("Zephyrine and Priya Shah") == "Contact C2 and Priya Shah"
    # The learner's own name stays, and the same people give the same compiled pattern.
    assert first is redactors_for(learner_ids=[learner.pk])[learner.pk]


def test_with_no_identity_source_registered_nobody_is_hidden(learner, in_centre_a, monkeypatch):
    """Who is hidden is the networking app's to say (``networking.identities``): the
    redactor itself knows nobody."""
    from common import redaction
    from tests.factories.networking import contact

    contact(learner, "Zéphyrine Oyelaran-Whitcombe", consented=False, email="z@example.org")
    assert redactor_for(learner=learner).text("Zephyrine") == "Contact C1"
    monkeypatch.setattr(redaction, "_IDENTITY_SOURCES", [])
    assert redactor_for(learner=learner) is redaction.NOBODY
