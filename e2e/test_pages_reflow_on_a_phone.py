"""WCAG 1.4.10 (reflow): on a phone, every role's pages fit the screen's width without
sideways scrolling of the page (a wide table may scroll inside its own labelled,
focusable region), and "Sign out" and each page's main button can be tapped."""

import os
from pathlib import Path

from django.urls import reverse

from centre.models import Role
from centre.scoping import centre_scope, scopes_disabled
from centre.services import set_offered_units
from e2e.accessibility import assert_no_accessibility_violations
from e2e.journeys import heading, sign_in
from learners.models import EvidenceItem
from moderation.models import UnitSignOff
from moderation.sample_services import create_moderation_sample, grant_moderator_access
from tests.factories import MembershipFactory
from tests.factories.moderation import signed_off_learner

PHONES = [320, 390]
# Set WAYMARK_SCREENSHOTS=/some/dir to keep a screenshot of every page at every width.
SCREENSHOTS = os.environ.get("WAYMARK_SCREENSHOTS")


def fits(page, name: str, width: int, *, buttons=("Sign out",)):
    """The page is no wider than the screen, and each button named is inside it and can
    be tapped (nothing covers it)."""
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SCREENSHOTS}/{name}-{width}.png", full_page=True)
    scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll_width <= inner_width, f"{name} at {width} px is {scroll_width} px wide"
    for label in buttons:
        button = page.get_by_role("button", name=label, exact=True)
        button.scroll_into_view_if_needed()
        box = button.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= inner_width, f"{label} on {name}"
        button.click(trial=True, timeout=2000)
    # A table that scrolls in its own region must be focusable and labelled (axe checks).
    assert_no_accessibility_violations(page)


def test_every_roles_pages_fit_a_phone(page, live_server, centre_a, seed_unit):
    set_offered_units(centre=centre_a, urns=["R/600/9587"])
    with scopes_disabled():
        admin = MembershipFactory(
            centre=centre_a,
            role=Role.CENTRE_ADMIN,
            user__email="asha.longname-administrator@northgate.example",
        ).user
        toms_role = MembershipFactory(
            centre=centre_a, role=Role.ASSESSOR, user__email="tom.hughes-assessor@northgate.example"
        )
        tom = toms_role.user
        moderator = MembershipFactory(
            centre=centre_a, role=Role.MODERATOR, user__email="morag.moderator@ocr.example"
        ).user
    with centre_scope(centre_a):
        enrolments = [
            signed_off_learner(centre=centre_a, unit=seed_unit, assessor=tom, candidate_number=f"{n:04d}")
            for n in (1, 2)
        ]
        sample = create_moderation_sample(
            centre=centre_a, unit=seed_unit, actor=admin, enrolment_ids=[enrolments[0].pk]
        )
        grant_moderator_access(sample=sample, actor=admin, email=moderator.email)
        item = EvidenceItem.objects.filter(learner=enrolments[0].learner).first()
        sign_off = UnitSignOff.objects.get(enrolment=enrolments[0])
    learner_email = enrolments[0].learner.user.email
    url = live_server.url

    for width in PHONES:
        page.set_viewport_size({"width": width, "height": 740})
        for name, path in [("home", "/"), ("unit", seed_unit.url), ("sign-in", reverse("login"))]:
            page.goto(url + path)
            fits(page, name, width, buttons=())
        sign_in(page, live_server, admin.email)
        fits(page, "centre-home", width)
        for name, path in [
            ("learners", reverse("learners:list")),
            ("staff", reverse("centre:staff")),
            ("import", reverse("learners:import")),
            ("audit", reverse("audit:trail")),
        ]:
            page.goto(url + path)
            fits(page, name, width)
        page.goto(url + reverse("centre:staff"))
        page.locator(f'a[href="{reverse("centre:end_role", args=[toms_role.pk])}"]').click()
        heading(page, f"End {tom.email}’s role as assessor?")
        fits(page, "end-role", width, buttons=("Sign out", "End the role"))
        page.goto(url + reverse("moderation:manage_sample", kwargs={"sample_id": sample.pk}))
        heading(page, "Moderation sample")
        fits(page, "manage-sample", width, buttons=("Sign out", "Give access and email them"))
        page.get_by_role("button", name="Sign out").click()

        sign_in(page, live_server, tom.email)
        for name, path in [
            ("caseload", reverse("assessment:caseload")),
            ("enrolment", reverse("assessment:enrolment", kwargs={"enrolment_id": enrolments[1].pk})),
            ("judge", reverse("assessment:judge", kwargs={"item_id": item.pk})),
            ("sign-off", reverse("assessment:sign_off", kwargs={"sign_off_id": sign_off.pk})),
            ("grid", reverse("assessment:unit_grid", kwargs={"unit_id": seed_unit.pk})),
        ]:
            page.goto(url + path)
            fits(page, name, width)
        page.get_by_role("button", name="Sign out").click()

        sign_in(page, live_server, moderator.email)
        for name, path in [
            ("moderator-sample", reverse("moderation:sample", kwargs={"sample_id": sample.pk})),
            (
                "recording-sheet",
                reverse(
                    "moderation:candidate", kwargs={"sample_id": sample.pk, "enrolment_id": enrolments[0].pk}
                ),
            ),
        ]:
            page.goto(url + path)
            fits(page, name, width)
        page.get_by_role("button", name="Sign out").click()

        sign_in(page, live_server, learner_email)
        for name, path in [
            ("portfolio", reverse("portfolio:home")),
            ("evidence", reverse("portfolio:evidence", kwargs={"item_id": item.pk})),
        ]:
            page.goto(url + path)
            fits(page, name, width)
        page.get_by_role("button", name="Sign out").click()
