"""WCAG 1.4.10 (reflow): on a phone, every role's pages fit the screen's width without
sideways scrolling of the page (a wide table may scroll inside its own labelled,
focusable region: the ``page`` fixture's axe scan checks that), and "Sign out" and each
page's main button can be tapped. The centre, its staff and learners are made as Waymark
makes them (e2e/people.py); the signed-off learners and the moderation sample through
Waymark's own services."""

import os
from pathlib import Path

from django.urls import reverse

from assessment.models import UnitSignOff
from centre.models import Membership, Role
from common.scoping import centre_scope, scopes_disabled
from e2e.journeys import heading, sign_in, sign_out
from e2e.people import (
    add_staff,
    create_centre,
    import_learners,
    import_seed_unit,
    learner_accepts,
    learner_row,
    signed_off,
    write_register,
)
from learners.models import Enrolment
from moderation.services import create_moderation_sample, grant_moderator_access
from portfolio.models import EvidenceItem
from units.selectors import unit_by_urn

PHONES = [320, 390]
# Set WAYMARK_SCREENSHOTS=/some/dir to keep a screenshot of every page at every width.
SCREENSHOTS = os.environ.get("WAYMARK_SCREENSHOTS")
# Long addresses, as real ones can be: they must wrap, not widen the page.
ADMIN = "asha.longname-administrator@northgate.example"
ASSESSOR = "tom.hughes-assessor@northgate.example"
MODERATOR = "morag.moderator@ocr.example"


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


def visit_at_each_width(page, base_url, pages, *, buttons=("Sign out",)):
    """Each of ``pages`` (name, path) at each phone's width, in one session: a person
    signs in once (a second sign-in within the same 30 seconds would wait for a new code)."""
    for width in PHONES:
        page.set_viewport_size({"width": width, "height": 740})
        for name, path in pages:
            page.goto(base_url + path)
            fits(page, name, width, buttons=buttons)


def test_every_roles_pages_fit_a_phone(page, live_server, tmp_path):
    import_seed_unit()
    centre = create_centre()
    seed_unit = unit_by_urn(urn="R/600/9587")
    # Each sets up their authenticator app, using one code; the admin, first, is the first
    # to sign in again, so the most time has passed since.
    admin = add_staff(page, Role.CENTRE_ADMIN, ADMIN)
    sign_out(page)
    tom = add_staff(page, Role.ASSESSOR, ASSESSOR)
    sign_out(page)
    moderator = add_staff(page, Role.MODERATOR, MODERATOR)
    sign_out(page)
    register = [
        learner_row("Candidate", f"Learner{n:04d}", f"learner{n}@example.org", n, ASSESSOR) for n in (1, 2)
    ]
    import_learners(write_register(tmp_path / "register.csv", register))
    learner = learner_accepts(page, "learner1@example.org")
    sign_out(page)
    with scopes_disabled():
        toms_role = Membership.objects.select_related("user").get(user__email=ASSESSOR, role=Role.ASSESSOR)
        admin_user = Membership.objects.get(user__email=ADMIN, role=Role.CENTRE_ADMIN).user
    with centre_scope(centre):
        enrolments = list(
            Enrolment.objects.select_related("learner__user", "assessor", "unit").order_by(
                "learner__candidate_number"
            )
        )
        for enrolment in enrolments:
            signed_off(enrolment, enrolment.assessor)
        sample = create_moderation_sample(
            centre=centre, unit=seed_unit, actor=admin_user, enrolment_ids=[enrolments[0].pk]
        )
        grant_moderator_access(sample=sample, actor=admin_user, email=moderator.email)
        item = EvidenceItem.objects.filter(learner=enrolments[0].learner).first()
        sign_off = UnitSignOff.objects.get(enrolment=enrolments[0])
    url = live_server.url

    visit_at_each_width(
        page, url, [("home", "/"), ("unit", seed_unit.url), ("sign-in", reverse("login"))], buttons=()
    )

    sign_in(page, live_server, admin)
    visit_at_each_width(
        page,
        url,
        [
            ("centre-home", reverse("centre:home")),
            ("learners", reverse("learners:list")),
            ("staff", reverse("centre:staff")),
            ("import", reverse("learners:import")),
            ("audit", reverse("centre:audit_trail")),
        ],
    )
    for width in PHONES:
        page.set_viewport_size({"width": width, "height": 740})
        page.goto(url + reverse("centre:staff"))
        page.locator(f'a[href="{reverse("centre:end_role", args=[toms_role.pk])}"]').click()
        heading(page, f"End {ASSESSOR}’s role as assessor?")
        fits(page, "end-role", width, buttons=("Sign out", "End the role"))
        page.goto(url + reverse("moderation:manage_sample", kwargs={"sample_id": sample.pk}))
        heading(page, "Moderation sample")
        fits(page, "manage-sample", width, buttons=("Sign out", "Give access and email them"))
    sign_out(page)

    sign_in(page, live_server, tom)
    visit_at_each_width(
        page,
        url,
        [
            ("caseload", reverse("assessment:caseload")),
            ("enrolment", reverse("assessment:enrolment", kwargs={"enrolment_id": enrolments[1].pk})),
            ("judge", reverse("assessment:judge", kwargs={"item_id": item.pk})),
            ("sign-off", reverse("assessment:sign_off", kwargs={"sign_off_id": sign_off.pk})),
            ("grid", reverse("assessment:unit_grid", kwargs={"unit_id": seed_unit.pk})),
        ],
    )
    sign_out(page)

    sign_in(page, live_server, moderator)
    visit_at_each_width(
        page,
        url,
        [
            ("moderator-sample", reverse("moderation:sample", kwargs={"sample_id": sample.pk})),
            (
                "recording-sheet",
                reverse(
                    "moderation:candidate", kwargs={"sample_id": sample.pk, "enrolment_id": enrolments[0].pk}
                ),
            ),
        ],
    )
    sign_out(page)

    sign_in(page, live_server, learner)
    visit_at_each_width(
        page,
        url,
        [
            ("portfolio", reverse("assessment:learner_home")),
            ("evidence", reverse("portfolio:evidence", kwargs={"item_id": item.pk})),
        ],
    )
    sign_out(page)
