from django.core.exceptions import ValidationError

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
