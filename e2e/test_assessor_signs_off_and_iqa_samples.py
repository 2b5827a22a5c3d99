from playwright.sync_api import expect

from centre.models import Role
from e2e.journeys import heading, judge, sign_in, sign_out
from e2e.people import (
    add_staff,
    create_centre,
    import_learners,
    import_seed_unit,
    learner_accepts,
    learner_row,
    write_register,
)

OTHER_CODES = ["1.2", "2.1", "2.2", "3.1", "3.2"]


def reflect_and_submit(page, title, text, codes):
    """The learner writes a reflective statement, maps it and submits it."""
    page.goto("/".join(page.url.split("/")[:3]) + "/portfolio/")
    page.get_by_role("link", name="Add evidence").click()
    page.get_by_role("link", name="Reflective statement").click()
    page.get_by_label("Title").fill(title)
    page.get_by_label("Your reflection").fill(text)
    page.get_by_role("button", name="Save as draft").click()
    page.get_by_role("link", name="Choose the criteria").click()
    for code in codes:
        page.get_by_role("checkbox", name=f"{code} ").check()
        page.get_by_label(f"How this evidence meets {code}").fill(f"It shows {code}.")
    page.get_by_role("button", name="Save the criteria").click()
    page.get_by_role("link", name="Declare and submit").click()
    page.get_by_label("I declare that this evidence is my own work").check()
    page.get_by_role("button", name="Declare and submit").click()
    expect(page.get_by_role("status")).to_contain_text(f"“{title}” is submitted for assessment.")


def test_assessor_judges_learner_revises_unit_signed_off_countersigned_and_sampled(
    page, live_server, tmp_path
):
    import_seed_unit()
    create_centre()
    tom = add_staff(page, Role.ASSESSOR, "tom@northgate.example", "Tom", "Hughes")
    page.get_by_role("button", name="Sign out").click()
    grace = add_staff(page, Role.IQA, "grace@northgate.example", "Grace", "Hopper")
    page.get_by_role("button", name="Sign out").click()
    register = [learner_row("Ada", "Lovelace", "ada@example.org", 1, "tom@northgate.example")]
    import_learners(write_register(tmp_path / "register.csv", register))
    ada = learner_accepts(page, "ada@example.org")
    reflect_and_submit(page, "Everything else", "How I built and reviewed my network.", OTHER_CODES)
    reflect_and_submit(page, "Networking and privacy", "What I did.", ["1.1", "1.3"])
    sign_out(page)

    # The assessor first finds the rest of the unit met.
    sign_in(page, live_server, tom)
    page.get_by_role("link", name="Your caseload").click()
    expect(page.get_by_role("row", name="Ada Lovelace")).to_contain_text("2 submissions")
    page.get_by_role("link", name="Ada Lovelace").click()
    page.get_by_role("link", name="Everything else").click()
    for code in OTHER_CODES:
        judge(page, code, "Met")
    page.get_by_role("button", name="Record the decisions", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("is assessed")

    # The assessor marks 1.1 met, 1.3 not yet met, and returns the work.
    page.goto(live_server.url + "/centre/")
    page.get_by_role("link", name="Your caseload").click()
    heading(page, "Your caseload")
    expect(page.get_by_role("row", name="Ada Lovelace")).to_contain_text("1 submission")
    page.get_by_role("link", name="Ada Lovelace").click()
    heading(page, "Ada Lovelace: Develop, maintain and review personal networks")
    page.get_by_role("link", name="Networking and privacy").click()
    heading(page, "Assess “Networking and privacy”")
    judge(page, "1.1", "Met", "A thorough evaluation.")
    judge(page, "1.3", "Not yet met", "Say how the Data Protection Act applies to your contacts.")
    page.get_by_label("What the learner should change").fill("Add the legal side of keeping contacts.")
    page.get_by_role("button", name="Record the decisions and return it to the learner").click()
    expect(page.get_by_role("status")).to_contain_text("is returned to the learner")
    sign_out(page)

    # The learner reads the feedback, revises and resubmits.
    sign_in(page, live_server, ada)
    page.get_by_role("link", name="Your portfolio").click()
    heading(page, "Your portfolio")
    expect(page.locator('tr[data-criterion="1.3"]')).to_contain_text("Not yet met")
    expect(page.locator('tr[data-criterion="1.1"]')).to_contain_text("Met")
    page.locator('tr[data-criterion="1.3"]').get_by_role("link", name="Networking and privacy").click()
    heading(page, "Networking and privacy")
    expect(page.get_by_text("Say how the Data Protection Act applies to your contacts.")).to_be_visible()
    page.get_by_role("link", name="Change the title and text").click()
    heading(page, "Change “Networking and privacy”")
    page.get_by_label("Your reflection").fill("What I did, and how the Data Protection Act 2018 shapes it.")
    page.get_by_role("button", name="Save as draft").click()
    page.get_by_role("link", name="Declare and submit").click()
    heading(page, "Submit “Networking and privacy”")
    page.get_by_label("I declare that this evidence is my own work").check()
    page.get_by_role("button", name="Declare and submit").click()
    expect(page.get_by_role("status")).to_contain_text("resubmitted (version 2)")
    expect(page.locator('tr[data-criterion="1.3"]')).to_contain_text("Submitted")
    sign_out(page)

    # The assessor marks it met and, every criterion met, signs the unit off.
    sign_in(page, live_server, tom)
    page.get_by_role("link", name="Your caseload").click()
    page.get_by_role("link", name="Ada Lovelace").click()
    page.get_by_role("link", name="Networking and privacy").click()
    heading(page, "Assess “Networking and privacy”")
    judge(page, "1.1", "Met")
    judge(page, "1.3", "Met", "Now clear on the law.")
    page.get_by_role("button", name="Record the decisions", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("is assessed")
    page.get_by_role("link", name="Ada Lovelace").click()
    page.get_by_role("link", name="Sign the unit off").click()
    heading(page, "Sign off Develop, maintain and review personal networks")
    page.get_by_label("I confirm that I assessed this learner").check()
    page.get_by_role("button", name="Sign the unit off").click()
    heading(page, "Unit recording sheet")
    expect(page.locator('tr[data-criterion="1.3"]')).to_contain_text("Networking and privacy (version 2)")
    sign_out(page)

    # The learner countersigns.
    sign_in(page, live_server, ada)
    page.get_by_role("link", name="Your portfolio").click()
    page.get_by_role("link", name="Check the recording sheet and countersign").click()
    heading(page, "Countersign Develop, maintain and review personal networks")
    page.get_by_label("I confirm that the evidence recorded here is my own work").check()
    page.get_by_role("button", name="Countersign").click()
    expect(page.get_by_role("status")).to_contain_text("You have countersigned")
    sign_out(page)

    # The IQA samples the signed-off unit and agrees.
    sign_in(page, live_server, grace)
    page.get_by_role("link", name="Internal quality assurance").click()
    heading(page, "Internal quality assurance")
    page.get_by_role("link", name="Develop, maintain and review personal networks", exact=True).click()
    heading(page, "Sampling plan")
    page.get_by_role("button", name="Save the plan").click()
    expect(page.get_by_label("Ada Lovelace — assessed by Tom Hughes, summative")).to_be_checked()
    page.get_by_role("button", name="Start sampling these").click()
    expect(page.get_by_role("status")).to_contain_text("Started 1 sample.")
    page.get_by_role("link", name="Ada Lovelace").click()
    heading(page, "Summative (unit signed off) sample: Ada Lovelace")
    page.get_by_label("Agree with the assessment").check()
    page.get_by_label("Comments").fill("Sound decisions, well evidenced.")
    page.get_by_role("button", name="Record the verdict").click()
    expect(page.get_by_role("status")).to_contain_text("Your verdict is recorded.")
    expect(page.get_by_text("Agree with the assessment")).to_be_visible()
