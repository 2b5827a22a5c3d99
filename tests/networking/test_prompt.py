"""Centre admins write the prompt their learners' networking guidelines start from, in the
Wagtail admin; each centre has one, and sees only its own."""

from django.urls import reverse

from centre.models import Role
from centre.services import set_offered_units
from common.scoping import centre_scope, scopes_disabled
from networking.models import NetworkingPrompt
from tests.factories import EnrolmentFactory, LearnerFactory
from tests.factories.networking import enable_networking
from tests.helpers import draftail, member

URLS = "wagtailsnippets_networking_networkingprompt"


def test_centre_admin_writes_the_prompt_their_learners_start_from(client, centre_a, seed_unit):
    client.force_login(member(centre_a, Role.CENTRE_ADMIN))
    form = client.get(reverse(f"{URLS}:add")).content.decode()
    assert "Shown to Northgate College’s learners above their guidelines" in form
    response = client.post(
        reverse(f"{URLS}:add"),
        {"prompt": draftail("Follow policy DP-04."), "outline": "## Consent\n"},
    )
    assert response.status_code == 302
    again = client.post(reverse(f"{URLS}:add"), {"prompt": draftail("Another."), "outline": ""})
    assert "Your centre already has a networking guidelines prompt" in again.content.decode()
    with centre_scope(centre_a):
        prompt = NetworkingPrompt.objects.get()
    assert prompt.centre == centre_a

    set_offered_units(centre=centre_a, urns=["R/600/9587"])
    enable_networking(seed_unit)
    learner_user = member(centre_a, Role.LEARNER)
    EnrolmentFactory(learner=LearnerFactory(centre=centre_a, user=learner_user), unit=seed_unit)
    client.force_login(learner_user)
    page = client.get(reverse("networking:guidelines")).content.decode()
    assert "Follow policy DP-04." in page and "## Consent" in page


def test_another_centres_prompt_is_neither_listed_nor_editable(client, centre_a, centre_b):
    with scopes_disabled():
        theirs = NetworkingPrompt.objects.create(centre=centre_b, prompt="<p>Southfield’s own rules.</p>")
    client.force_login(member(centre_a, Role.CENTRE_ADMIN))
    listing = client.get(reverse(f"{URLS}:list"))
    assert listing.status_code == 200 and "Southfield’s own rules." not in listing.content.decode()
    assert client.get(reverse(f"{URLS}:edit", args=[theirs.pk])).status_code == 404


def test_the_unit_setting_is_in_the_unit_pages_settings(admin_client, seed_unit):
    page = admin_client.get(reverse("wagtailadmin_pages:edit", args=[seed_unit.pk])).content.decode()
    assert 'name="networking_records"' in page
    assert "Learners on this unit keep a contact register" in page
