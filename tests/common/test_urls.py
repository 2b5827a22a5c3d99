"""``common.urls.url_for_each``: the addresses of a list's rows, each as ``reverse`` gives it."""

import pytest
from django.urls import NoReverseMatch, reverse

from common.urls import url_for_each


def test_each_address_is_the_one_reverse_gives():
    candidate_url = url_for_each("moderation:candidate", "enrolment_id", sample_id=12)
    for enrolment_id in [1, 12, 120, 918_273_645]:
        assert candidate_url(enrolment_id) == reverse(
            "moderation:candidate", kwargs={"sample_id": 12, "enrolment_id": enrolment_id}
        )


def test_a_part_the_address_does_not_have_is_refused():
    with pytest.raises(NoReverseMatch):
        url_for_each("moderation:candidate", "learner_id", sample_id=12)


def test_an_address_where_the_key_cannot_be_found_alone_is_refused_not_guessed():
    # A fixed part that reads as the number the key's place is found by: two places
    # would match, so no address is made from either.
    from common.urls import _MARKS

    with pytest.raises(ValueError, match="enrolment_id is not a whole number's place in its address"):
        url_for_each("moderation:candidate", "enrolment_id", sample_id=_MARKS[0])
