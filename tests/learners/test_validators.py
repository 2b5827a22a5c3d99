import re

import pytest
from django.core.exceptions import ValidationError

from learners.validators import (
    normalised_phone_number,
    uln_problem,
    validate_candidate_number,
    validate_plain_text,
    validate_uln,
)
from tests.factories import valid_uln


def test_the_example_uln_from_the_specification_is_valid():
    assert uln_problem("9276308686") is None
    validate_uln("9276308686")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("9276308687", "The ULN's check digit is wrong."),
        ("0276308686", "A ULN does not start with 0."),
        ("927630868", "A ULN is 10 digits."),
        ("92763086860", "A ULN is 10 digits."),
        ("92763O8686", "A ULN is 10 digits."),
        ("９２７６３０８６８６", "A ULN is 10 digits."),
        ("", "A ULN is 10 digits."),
    ],
)
def test_invalid_ulns_are_refused_with_the_reason(value, message):
    with pytest.raises(ValidationError, match=message):
        validate_uln(value)


def test_factory_ulns_are_valid():
    for start in range(100000000, 100000200):
        assert uln_problem(valid_uln(start)) is None


@pytest.mark.parametrize("value", ["123", "12345", "12a4", " 123"])
def test_candidate_number_is_four_digits(value):
    with pytest.raises(ValidationError, match=r"A candidate number is 4 digits\."):
        validate_candidate_number(value)


@pytest.mark.parametrize("text", ["a < b", "I <3 networking", "See <https://www.ocr.org.uk> first"])
def test_plain_text_may_use_angle_brackets_that_are_not_markup(text):
    validate_plain_text(text)


@pytest.mark.parametrize(
    "text", ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "</p>", "<!-- x -->"]
)
def test_markup_is_refused_in_plain_text(text):
    with pytest.raises(ValidationError, match="looks like HTML"):
        validate_plain_text(text)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("07911 900456", "+44 7911 900456"),
        ("07700 900123", "+44 7700 900123"),
        ("+44 7911 900456", "+44 7911 900456"),
        ("07400 123456", "+44 7400 123456"),
        ("020 7946 0958", "+44 20 7946 0958"),
        ("+33 1 23 45 67 89", "+33 1 23 45 67 89"),
    ],
)
def test_well_formed_uk_mobiles_and_landlines_are_accepted(typed, stored):
    # The library's allocation tables lag Ofcom's, so a real mobile in a newly
    # allocated block (07911 900456) must not be refused for its block.
    assert normalised_phone_number(typed) == stored


@pytest.mark.parametrize("typed", ["07911 90045", "07911 9004567", "06911 900456", "12345", "+33 1 23"])
def test_malformed_telephone_numbers_are_refused(typed):
    with pytest.raises(ValidationError, match="is not a telephone number"):
        normalised_phone_number(typed)


def test_the_example_in_the_telephone_number_message_is_accepted():
    with pytest.raises(ValidationError) as refused:
        normalised_phone_number("12345")
    examples = re.findall(r"0\d{2,4} \d{3,4} ?\d{3,4}", refused.value.messages[0])
    assert examples
    for example in examples:
        normalised_phone_number(example)
