import re
from datetime import date

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils import timezone

ULN_WEIGHTS = range(10, 0, -1)


def uln_problem(value: str) -> str | None:
    """Why ``value`` is not a Unique Learner Number, or None if it is one.

    A ULN is ten digits, the first not zero, whose digits weighted 10, 9, … 1 sum to a
    remainder of 10 when divided by 11 (so 9276308686 is valid).
    """
    if len(value) != 10 or not value.isascii() or not value.isdigit():
        return "a ULN is 10 digits"
    if value[0] == "0":
        return "a ULN does not start with 0"
    if sum(int(digit) * weight for digit, weight in zip(value, ULN_WEIGHTS, strict=True)) % 11 != 10:
        return "the ULN's check digit is wrong"
    return None


def uln_with_check_digit(first_nine: int) -> str:
    """A valid ULN for nine leading digits, or the next ones if those have no check digit
    (one in eleven has none, never two in a row, so numbers two apart never share a ULN):
    for demo data and tests, which need ULNs that pass ``validate_uln``."""
    while True:
        digits = str(first_nine)
        total = sum(int(d) * w for d, w in zip(digits, range(10, 1, -1), strict=True))
        check = (10 - total) % 11
        if check < 10:
            return f"{digits}{check}"
        first_nine += 1


def validate_uln(value: str) -> None:
    if problem := uln_problem(value):
        raise ValidationError(f"{problem[0].upper()}{problem[1:]}.", code="invalid_uln")


def candidate_number_problem(value: str) -> str | None:
    if len(value) != 4 or not value.isascii() or not value.isdigit():
        return "a candidate number is 4 digits"
    return None


def validate_candidate_number(value: str) -> None:
    if problem := candidate_number_problem(value):
        raise ValidationError(f"{problem[0].upper()}{problem[1:]}.", code="invalid_candidate_number")


# Markup starts with "<" and then a letter, "/", "!" or "?": "<script", "</p", "<!--", "<?xml".
# A Markdown autolink such as <https://example.org> is a link, not markup.
MARKUP = re.compile(r"<(?!(?:https?|mailto):[^\s<>]*>)[a-zA-Z/!?]")


def validate_plain_text(value: str) -> None:
    """Refuse text containing HTML, so that what a learner records about other people is
    only ever shown as the words they typed."""
    if match := MARKUP.search(value):
        fragment = value[match.start() : match.start() + 20].split(">")[0] + (">" if ">" in value else "")
        raise ValidationError(
            f"Write plain text: “{fragment}” looks like HTML, which is not allowed here.",
            code="markup",
        )


# A UK mobile (071-075, 077-079) is 07 and nine more digits. The phonenumbers library
# only knows the blocks allocated when its tables were built, and Ofcom allocates new
# ones every month: a real mobile in a recent block (07911 900456) is "invalid" to it. A
# number of that shape is accepted; anything else must satisfy the library.
UK_MOBILE = re.compile(r"7[1-57-9]\d{8}")
PHONE_EXAMPLES = "020 7946 0958 or 07700 900123"  # Ofcom's ranges for fiction: nobody's


def normalised_phone_number(value: str) -> str:
    """``value`` as a telephone number in international format (UK numbers may be given
    without +44), or ``ValidationError``."""
    try:
        number = phonenumbers.parse(value, "GB")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not _is_acceptable(number):
        raise ValidationError(
            f"“{value}” is not a telephone number: give a UK number such as {PHONE_EXAMPLES}, "
            "or an international one starting with +.",
            code="invalid_phone",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _is_acceptable(number: phonenumbers.PhoneNumber) -> bool:
    if phonenumbers.is_valid_number(number):
        return True
    return (
        number.country_code == 44
        and not number.italian_leading_zero
        and UK_MOBILE.fullmatch(phonenumbers.national_significant_number(number)) is not None
    )


def validate_phone_number(value: str) -> None:
    normalised_phone_number(value)


def not_in_the_future(value: date) -> None:
    if value > timezone.localdate():
        raise ValidationError("The date cannot be in the future.", code="future_date")
