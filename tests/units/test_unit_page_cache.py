"""The public unit page keeps its body (the unit as published) in the cache: rendered once
per publication, shown new at once when the unit is published again, from the editor or
by a re-import, never a draft, and never with anything of the person reading it."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory
from django.urls import reverse
from wagtail.models import PageViewRestriction

from tests.factories import UserFactory
from tests.units.test_unit_page_editing import criterion_form_prefix, edit_form_data
from units.models import AssessmentCriterion, UnitPage
from units.parsing import parse_unit_file
from units.rendering import body_cache_key
from units.services import import_unit
from units.spec import spec_from_json, spec_to_json

NEW_TEXT = "Assess the worth of own current personal network."


@pytest.fixture
def editor_client(client, catalogue_editor):
    client.force_login(catalogue_editor)
    return client


def edit(editor_client, unit, *, publish: bool):
    """Criterion 3.1 given NEW_TEXT in the Wagtail editor, published or saved as a draft."""
    data = edit_form_data(editor_client, unit)
    if not publish:
        del data["action-publish"]
    data[f"{criterion_form_prefix(data, '3.1')}-text"] = NEW_TEXT
    response = editor_client.post(reverse("wagtailadmin_pages:edit", args=[unit.pk]), data)
    assert response.status_code == 302


def criterion(unit, code="3.1"):
    return AssessmentCriterion.objects.get(outcome__page=unit, code=code)


def live(unit):
    return UnitPage.objects.get(pk=unit.pk)


def test_the_body_is_read_once_per_publication(client: Client, seed_unit, django_assert_max_num_queries):
    url = seed_unit.url
    # The site, the catalogue, the unit, its view restrictions (two), its outcomes and
    # their criteria.
    with django_assert_max_num_queries(7):
        first = client.get(url)
    # Cached: no outcomes or criteria.
    with django_assert_max_num_queries(5):
        again = client.get(url)
    assert again.content == first.content
    assert criterion(seed_unit).text in again.content.decode()


def test_a_unit_republished_from_the_editor_shows_its_new_text_at_once(client, editor_client, seed_unit):
    visitor = Client()
    old_text = criterion(seed_unit).text
    assert old_text in visitor.get(seed_unit.url).content.decode()
    key = body_cache_key(live(seed_unit))

    edit(editor_client, seed_unit, publish=True)

    assert body_cache_key(live(seed_unit)) != key
    page = visitor.get(seed_unit.url).content.decode()
    assert NEW_TEXT in page and old_text not in page


def test_a_reimported_unit_shows_its_new_text_at_once(client: Client, seed_unit, seed_unit_bytes):
    old_text = criterion(seed_unit).text
    assert old_text in client.get(seed_unit.url).content.decode()

    import_unit(
        spec=spec_from_json(spec_to_json(parse_unit_file(seed_unit_bytes)).replace(old_text, NEW_TEXT))
    )

    page = client.get(seed_unit.url).content.decode()
    assert NEW_TEXT in page and old_text not in page


def test_the_cached_body_shows_nothing_of_who_read_it_first(client: Client, seed_unit):
    someone = UserFactory(email="someone@example.org")
    client.force_login(someone)
    signed_in = client.get(seed_unit.url).content.decode()
    assert "someone@example.org" in signed_in

    visitor = Client().get(seed_unit.url).content.decode()
    assert "someone@example.org" not in visitor
    assert "Sign in" in visitor
    assert criterion(seed_unit).text in visitor


def test_a_preview_of_a_draft_is_neither_cached_nor_served_from_the_cache(editor_client, seed_unit):
    visitor = Client()
    old_text = criterion(seed_unit).text
    visitor.get(seed_unit.url)  # the published body, cached
    edit(editor_client, seed_unit, publish=False)  # a draft, not published

    request = RequestFactory().get(seed_unit.url)
    request.user = AnonymousUser()
    preview = live(seed_unit).get_latest_revision_as_object().make_preview_request(request)
    preview = preview.content.decode()
    assert NEW_TEXT in preview and old_text not in preview

    public = visitor.get(seed_unit.url).content.decode()
    assert old_text in public and NEW_TEXT not in public


def test_a_unit_made_private_after_it_was_cached_asks_for_sign_in(client: Client, seed_unit):
    assert client.get(seed_unit.url).status_code == 200
    PageViewRestriction.objects.create(page=live(seed_unit), restriction_type=PageViewRestriction.LOGIN)

    response = client.get(seed_unit.url)

    assert response.status_code == 302
    assert criterion(seed_unit).text not in response.content.decode()


@pytest.mark.parametrize("path", ["/r-600-0000/", "/r-600-9587/more/"])
def test_an_address_that_is_no_unit_is_not_found(client: Client, seed_unit, path):
    assert client.get(path).status_code == 404
