import re

from playwright.sync_api import expect

from e2e.people import import_seed_unit
from units.selectors import spec_from_unit, unit_by_urn


def test_visitor_opens_the_unit_page_and_sees_every_outcome_and_criterion(page, live_server):
    import_seed_unit()
    spec = spec_from_unit(unit_by_urn(urn="R/600/9587"))

    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Qualification units")

    # Keyboard only: the first Tab reaches the skip link, then the way to the unit.
    unit_link = page.get_by_role("link", name=spec.title)
    for _ in range(10):
        page.keyboard.press("Tab")
        if unit_link.evaluate("element => element === document.activeElement"):
            break
    expect(unit_link).to_be_focused()
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/r-600-9587/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(spec.title)
    expect(page.get_by_text("R/600/9587")).to_be_visible()
    table = page.get_by_role("table", name=re.compile("assessment criteria"))
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(3)
    for row, outcome in zip(rows.all(), spec.learning_outcomes, strict=True):
        expect(row.get_by_role("rowheader")).to_have_text(f"{outcome.number} {outcome.text}")
        criteria = row.get_by_role("listitem")
        expect(criteria).to_have_text([f"{c.code} {c.text}" for c in outcome.criteria])
    assert sum(len(outcome.criteria) for outcome in spec.learning_outcomes) == 7
