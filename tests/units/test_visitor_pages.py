"""Catalogue pages kept whole for visitors (units.visitor_pages): the next visitor is
given the page without a query; whatever changes what visitors may see is shown at once;
signed-in people never get, or give, a kept page; nothing else is kept."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from wagtail.models import PageViewRestriction, Site

from tests.factories import UserFactory
from units.models import AssessmentCriterion, UnitPage
from units.parsing import parse_unit_file
from units.services import import_unit
from units.spec import spec_from_json, spec_to_json

NEW_TEXT = "Assess the worth of own current personal network."


pytestmark = pytest.mark.usefixtures("pages_kept_as_with_cache_url")


def kept_pages() -> list[str]:
    return [key for key in cache._cache if "units:visitor-page:" in key]


def test_the_next_visitor_is_given_the_kept_page_without_a_query(seed_unit, django_assert_num_queries):
    first = Client().get(seed_unit.url)
    with django_assert_num_queries(0):
        again = Client().get(seed_unit.url)
    assert again.status_code == 200
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]
    # The middleware further out add their headers to a kept page as to any other.
    for header in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options"):
        assert again[header] == first[header]
    # Said of the page rendered too: a signed-in person is given another at this address.
    assert "Cookie" in again["Vary"]
    assert Client().head(seed_unit.url).status_code == 200
    # The catalogue's own page is kept too.
    Client().get("/")
    assert len(kept_pages()) == 2


def test_an_address_with_a_query_string_or_a_request_with_credentials_is_rendered_afresh(
    seed_unit, django_assert_max_num_queries
):
    Client().get(seed_unit.url)
    for asked in (
        lambda: Client().get(f"{seed_unit.url}?from=search"),
        lambda: Client(HTTP_AUTHORIZATION="Bearer a-token").get(seed_unit.url),
    ):
        with django_assert_max_num_queries(7) as queries:
            assert asked().status_code == 200
        assert len(queries) > 0
    assert len(kept_pages()) == 1


def test_a_preview_is_never_kept(seed_unit, catalogue_editor):
    editor = Client()
    editor.force_login(catalogue_editor)
    assert editor.get(reverse("wagtailadmin_pages:view_draft", args=[seed_unit.pk])).status_code == 200
    assert kept_pages() == []


def test_a_reimported_unit_is_shown_new_to_the_next_visitor(
    seed_unit, seed_unit_bytes, django_capture_on_commit_callbacks
):
    old_text = AssessmentCriterion.objects.get(outcome__page=seed_unit, code="3.1").text
    assert old_text in Client().get(seed_unit.url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        import_unit(
            spec=spec_from_json(spec_to_json(parse_unit_file(seed_unit_bytes)).replace(old_text, NEW_TEXT))
        )

    page = Client().get(seed_unit.url).content.decode()
    assert NEW_TEXT in page and old_text not in page


def test_a_page_made_private_or_unpublished_is_no_longer_given(seed_unit, django_capture_on_commit_callbacks):
    visitor = Client()
    assert visitor.get(seed_unit.url).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        restriction = PageViewRestriction.objects.create(
            page=seed_unit, restriction_type=PageViewRestriction.LOGIN
        )
    assert visitor.get(seed_unit.url).status_code == 302  # to sign in

    with django_capture_on_commit_callbacks(execute=True):
        restriction.delete()
    assert visitor.get(seed_unit.url).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        seed_unit.unpublish()
    assert visitor.get(seed_unit.url).status_code == 404


def test_a_page_moved_or_deleted_or_a_site_changed_is_shown_so(
    seed_unit, other_unit, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    visitor = Client()
    address = seed_unit.url
    assert visitor.get(address).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        seed_unit.slug = "renamed"
        seed_unit.save_revision().publish()
    moved = visitor.get(address)  # Wagtail's redirect from the old address, not the kept page
    assert (moved.status_code, moved["Location"]) == (301, UnitPage.objects.get(pk=seed_unit.pk).url)
    assert visitor.get(moved["Location"]).status_code == 200

    assert visitor.get(other_unit.url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        site = Site.objects.get()
        site.site_name = "The catalogue"
        site.save()
    with django_assert_max_num_queries(8) as queries:
        assert visitor.get(other_unit.url).status_code == 200
    assert len(queries) > 0  # rendered afresh, for the site as it is now
    with django_capture_on_commit_callbacks(execute=True):
        UnitPage.objects.get(pk=other_unit.pk).delete()
    assert visitor.get(other_unit.url).status_code == 404


def test_a_change_not_yet_committed_leaves_the_kept_page_as_it_was(seed_unit):
    """The generation moves once the change is committed: a visitor meanwhile may still be
    given the page as it was, which is what the database still says."""
    visitor = Client()
    first = visitor.get(seed_unit.url).content
    PageViewRestriction.objects.create(page=seed_unit, restriction_type=PageViewRestriction.LOGIN)
    assert visitor.get(seed_unit.url).content == first


def test_signed_in_people_are_never_given_a_kept_page_nor_give_one(seed_unit):
    person = UserFactory(email="reader@example.org")
    signed_in = Client()
    signed_in.force_login(person)

    theirs = signed_in.get(seed_unit.url).content.decode()
    assert "reader@example.org" in theirs
    assert kept_pages() == []

    assert "reader@example.org" not in Client().get(seed_unit.url).content.decode()
    assert len(kept_pages()) == 1
    assert "reader@example.org" in signed_in.get(seed_unit.url).content.decode()


def test_a_visitor_with_a_message_waiting_is_given_the_page_afresh(seed_unit, django_assert_max_num_queries):
    Client().get(seed_unit.url)
    visitor = Client()
    visitor.cookies["messages"] = "a message waiting"
    with django_assert_max_num_queries(7) as queries:
        visitor.get(seed_unit.url)
    assert len(queries) > 0


def test_pages_that_are_not_the_catalogues_are_never_kept(client, seed_unit):
    assert client.get(reverse("login")).status_code == 200
    assert client.get("/no-such-page/").status_code == 404
    assert kept_pages() == []


def test_without_a_shared_cache_nothing_is_kept(settings, seed_unit, django_assert_max_num_queries):
    settings.WAYMARK_VISITOR_PAGES = False
    Client().get(seed_unit.url)
    with django_assert_max_num_queries(7) as queries:
        Client().get(seed_unit.url)
    assert len(queries) > 0
    assert kept_pages() == []


def test_with_the_cache_unreachable_the_visitor_is_given_the_page_rendered(
    seed_unit, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    from units import visitor_pages

    class Unreachable:
        """The cache as this module sees it with Redis not answering."""

        def __getattr__(self, name):
            raise ConnectionError("Redis is not answering")

    monkeypatch.setattr(visitor_pages, "cache", Unreachable())
    page = Client().get(seed_unit.url)
    assert page.status_code == 200
    assert AssessmentCriterion.objects.get(outcome__page=seed_unit, code="3.1").text in page.content.decode()
    # A change is saved all the same, and said not to have reached the kept pages.
    with django_capture_on_commit_callbacks(execute=True):
        seed_unit.save_revision().publish()
    assert "could not be started afresh" in caplog.text
