"""Steps every journey takes: signing in and out as a person of Northgate College, arriving
on a page, and looking at it at a phone's width. (Every page is scanned with axe by the
``page`` fixture in conftest.py.)"""

from playwright.sync_api import expect

from e2e import people

PHONES = [(390, 844), (320, 640)]


def sign_in(page, live_server, person):
    people.sign_in(page, live_server, person)
    expect(page.get_by_role("heading", level=1)).to_have_text("Northgate College")


def sign_out(page):
    people.sign_out(page)


def heading(page, text):
    expect(page.get_by_role("heading", level=1)).to_contain_text(text)


def assert_no_sideways_scroll(page):
    """At a phone's width (390 and 320 CSS pixels) the page reflows: nothing makes it
    scroll sideways. The page is put back at its own size afterwards."""
    size = page.viewport_size
    wider = []
    try:
        for width, height in PHONES:
            page.set_viewport_size({"width": width, "height": height})
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            inner_width = page.evaluate("window.innerWidth")
            if scroll_width > inner_width:
                wider.append(f"{width}px: the page is {scroll_width}px wide")
    finally:
        page.set_viewport_size(size)
    assert not wider, f"{page.url} scrolls sideways at a phone's width: " + "; ".join(wider)


def judge(page, code, outcome, feedback=""):
    """On the judging page: the assessor's decision on criterion ``code``, with feedback."""
    criterion = page.locator(f'fieldset[data-criterion="{code}"]')
    criterion.get_by_label(outcome, exact=False).first.check()
    if feedback:
        criterion.get_by_label(f"Feedback on {code}").fill(feedback)


def map_and_submit(page, codes, note="It shows {code}."):
    """On a draft's page: map it to ``codes``, declare it the learner's own and submit it."""
    page.get_by_role("link", name="Choose the criteria").click()
    for code in codes:
        page.get_by_role("checkbox", name=f"{code} ").check()
        page.get_by_label(f"How this evidence meets {code}").fill(note.format(code=code))
    page.get_by_role("button", name="Save the criteria").click()
    page.get_by_role("link", name="Declare and submit").click()
    page.get_by_label("I declare that this evidence is my own work").check()
    page.get_by_role("button", name="Declare and submit").click()
    expect(page.get_by_role("status")).to_contain_text("submitted for assessment")


def upload_and_submit(page, title, files, codes=("1.1",)):
    """The learner uploads ``files`` as an item of evidence, maps it and submits it."""
    page.goto("/".join(page.url.split("/")[:3]) + "/portfolio/")
    page.get_by_role("link", name="Add evidence").click()
    page.get_by_role("link", name="Uploaded files").click()
    page.get_by_label("Title").fill(title)
    page.get_by_role("button", name="Save as draft").click()
    for path in files:
        page.get_by_label("Upload files").set_input_files(path)
        page.get_by_role("button", name="Upload", exact=True).click()
        expect(page.get_by_role("status")).to_contain_text(f"Uploaded “{path.name}”.")
    map_and_submit(page, codes)
