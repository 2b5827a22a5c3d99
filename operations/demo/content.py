"""The demo content: the centre, its people, the seed unit and what the learners wrote."""

from pathlib import Path

from django.conf import settings

from centre.models import Role

DEMO_CENTRE_NUMBER = "99999"
DEMO_CENTRE_NAME = "Waymark Demo Centre"
DEMO_PASSWORD = "waymark-demo-2026"  # noqa: S105 (printed for the demo; refused in production)
SEED_UNIT = Path(settings.BASE_DIR) / "units" / "data" / "ocr-unit-35-R-600-9587.txt"
SEED_URN = "R/600/9587"
# A qualification of the seed unit alone, for the demo (its number is no real one's).
DEMO_QUALIFICATION = {
    "number": "600/0000/0",
    "title": "Demo Award in Personal Networking (Level 4)",
    "awarding_body": "OCR",
    "level": 4,
    "total_qualification_time": 40,
    "guided_learning_hours": 25,
    "total_credits": 4,
    "groups": [{"name": "Mandatory unit", "mandatory": True, "units": [SEED_URN]}],
}
DEMO_PEOPLE = [
    # (email, first name, last name, role in the demo centre)
    ("admin@demo.waymark.test", "Asha", "Patel", Role.CENTRE_ADMIN),
    ("assessor@demo.waymark.test", "Tom", "Hughes", Role.ASSESSOR),
    ("iqa@demo.waymark.test", "Grace", "Okafor", Role.IQA),
    ("learner@demo.waymark.test", "Liam", "Evans", Role.LEARNER),
    ("moderator@demo.waymark.test", "Morag", "Campbell", Role.MODERATOR),
]
CATALOGUE_EDITOR = ("editor@demo.waymark.test", "Cat", "Alogue")
DEMO_LEARNER_ULN = "9276308686"

# A second learner, further on: every criterion met, the unit signed off and countersigned,
# and the IQA's summative sample agreed.
SIGNED_OFF_LEARNER = ("learner2@demo.waymark.test", "Mia", "Jones", "9276308708", "0002")
DEMO_GUIDANCE = (
    "<p>Keep a networking diary from your first week: every event, call and introduction, "
    "with what each side gained. Your assessor will ask to see it at your first review.</p>"
)
DEMO_NETWORKING_PROMPT = (
    "<p>Write guidelines a colleague could follow when they network for Northgate: how to "
    "approach contacts, what must never be shared, and how contacts’ details are kept under our "
    "data protection policy (DP-04).</p>"
)
DEMO_NETWORKING_OUTLINE = (
    "## Finding and approaching contacts\n\n"
    "## What we share and what we never share\n\n"
    "## Keeping contacts’ details\n"
)
DEMO_CONTACTS = [
    {
        "kind": "individual",
        "name": "Priya Shah",
        "organisation": "Harbour Bank",
        "sector": "finance",
        "email": "priya.shah@harbour-bank.example",
        "phone": "020 7946 0958",
        "how_met": "Regional finance forum, March.",
        "they_offer": "Advice on funding bids.",
        "you_offer": "Introductions to local training providers.",
        "organisation_benefit": "A route to apprenticeship funding.",
        "strength": 3,
        "next_action": "Send the draft bid.",
        "consented": True,
    },
    {
        "kind": "organisation",
        "name": "Northgate Chamber of Commerce",
        "sector": "business",
        "how_met": "Joined as a member.",
        "they_offer": "Monthly networking breakfasts.",
        "you_offer": "A talk on training for small firms.",
        "strength": 2,
        "consented": True,
    },
    {
        "kind": "individual",
        "name": "Dan Whitfield",
        "organisation": "Northgate Council",
        "sector": "public",
        "email": "dan.whitfield@council.example",
        "how_met": "Council jobs fair.",
        "they_offer": "News of council training contracts.",
        "you_offer": "Placements for council apprentices.",
        "strength": 1,
        "next_action": "Ask for a meeting in the new year.",
        "consented": False,
    },
]
DEMO_EVIDENCE = [
    # (kind, title, text, {criterion code: how it meets it}, submitted?)
    (
        "reflective_statement",
        "What networking has done for me",
        "Since joining the local chamber of commerce I have met two suppliers who now quote for "
        "our catering work.\n\nI keep their details in our CRM only with their agreement, and I "
        "never pass them on without asking first.",
        {
            "1.1": "It weighs what networking has brought me and my organisation.",
            "1.3": "It explains how I keep my contacts' details private.",
        },
        True,
    ),
    (
        "written_account",
        "My networks and why I chose them",
        "The networks I belong to, and what each one is for.",
        {"2.1": "It lists the networks I use and why."},
        False,
    ),
]

# The candidates ``--moderation-candidates`` adds, so that a bundle, its parts and the
# moderator's pages can be tried at a realistic size: their numbers and names.
CANDIDATE_NUMBERS_FROM = 101
CANDIDATE_FIRST_NAMES = ["Aisha", "Ben", "Chloe", "Dev", "Elin", "Femi", "Gwen", "Hamza", "Isla", "Jack"]
CANDIDATE_LAST_NAMES = ["Ahmed", "Brennan", "Cooper", "Davies", "Ellis", "Fraser", "Gill", "Hart", "Iqbal"]
WITNESSES = [
    ("Sarah Lloyd", "Operations manager", "line manager"),
    ("Kwame Mensah", "Partnerships lead", "colleague"),
    ("Ruth Evans", "Events coordinator", "client"),
]
