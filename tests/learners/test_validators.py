import pytest
from django.core.exceptions import ValidationError

from learners.validators import uln_problem, validate_candidate_number, validate_plain_text, validate_uln
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
