from pathlib import Path

from playwright.sync_api import expect

from e2e.people import catalogue_editor, set_up_authenticator
from units.models import AssessmentCriterion, UnitPage

SEED = Path(__file__).resolve().parent.parent / "units" / "data" / "ocr-unit-35-R-600-9587.txt"


def test_catalogue_editor_imports_the_seed_unit_with_a_preview(page, live_server, monkeypatch):
    editor = catalogue_editor(page, live_server, monkeypatch)

    # The editor's first sign-in, from the admin: password, then their authenticator app.
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Email address").fill(editor.email)
    page.get_by_label("Password").fill(editor.password)
    page.get_by_label("Password").press("Enter")
    set_up_authenticator(page, editor)

    page.get_by_role("link", name="Import a unit").click()
    expect(page.get_by_role("heading", name="Import a unit")).to_be_visible()

    page.get_by_label("Unit file").set_input_files(SEED)
    page.get_by_role("button", name="Preview import").press("Enter")
    expect(
        page.get_by_text("This is a new unit. Importing it will publish it with 3 learning outcomes")
    ).to_be_visible()
    expect(page.get_by_text("3.2 Evaluate own experience with existing contacts")).to_be_visible()
    assert not UnitPage.objects.exists()

    page.get_by_role("button", name="Confirm import").press("Enter")
    expect(
        page.get_by_text("Imported R/600/9587 “Develop, maintain and review personal networks”.")
    ).to_be_visible()
    unit = UnitPage.objects.get(urn="R/600/9587")
    assert unit.live
    assert AssessmentCriterion.objects.filter(outcome__page=unit).count() == 7
