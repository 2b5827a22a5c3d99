import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from centre.models import Role
from centre.selectors import CURRENT_CENTRE_SESSION_KEY
from centre.services import set_offered_units
from common.scoping import centre_scope, scopes_disabled
from learners.models import Learner
from learners.policies import ASSESS, enrolment_policy
from learners.services import allocate_assessor
from tests.factories import EnrolmentFactory, LearnerFactory, MembershipFactory, UserFactory, valid_uln

HEADER = "first_name,last_name,email,uln,candidate_number,unit_urn,assessor_email"


@pytest.fixture
def centre(centre_a, seed_unit):
    set_offered_units(centre=centre_a, urns=["R/600/9587"])
    return centre_a


def member(centre, role, **user):
    return MembershipFactory(centre=centre, role=role, **{f"user__{k}": v for k, v in user.items()}).user


@pytest.fixture
def admin_client(client, centre):
    client.force_login(member(centre, Role.CENTRE_ADMIN))
    return client


def csv(*rows):
    return SimpleUploadedFile("register.csv", "\n".join([HEADER, *rows]).encode(), content_type="text/csv")


def test_person_chooses_between_their_centres_and_only_theirs(client, centre_a, centre_b, db):
    user = UserFactory()
    MembershipFactory(centre=centre_a, user=user, role=Role.ASSESSOR)
    MembershipFactory(centre=centre_b, user=user, role=Role.MODERATOR)
    other = MembershipFactory(role=Role.ASSESSOR).centre
    client.force_login(user)

    assert client.get(reverse("centre:home")).url == reverse("centre:choose")
    page = client.get(reverse("centre:choose")).content.decode()
    assert "Northgate College (10001)" in page and "Southfield Training (20002)" in page
    assert other.name not in page
    assert client.post(reverse("centre:choose"), {"centre": other.pk}).status_code == 404

    response = client.post(reverse("centre:choose"), {"centre": centre_b.pk}, follow=True)
    assert client.session[CURRENT_CENTRE_SESSION_KEY] == centre_b.pk
    assert (
        "Centre: " in response.content.decode() and "Southfield Training (20002)" in response.content.decode()
    )


def test_pages_need_the_role_in_the_current_centre(client, centre):
    assert client.get(reverse("learners:list")).status_code == 302
    client.force_login(member(centre, Role.ASSESSOR))
    assert client.get(reverse("learners:list")).status_code == 403
    assert client.get(reverse("learners:import")).status_code == 403


def test_centre_admin_lists_only_their_centres_learners(
    admin_client, centre, centre_b, django_assert_max_num_queries
):
    with scopes_disabled():
        for _ in range(30):
            EnrolmentFactory(learner__centre=centre, unit=centre.offered_units.get().unit)
        LearnerFactory(centre=centre_b, first_name="Secret", last_name="Southfield")
    with django_assert_max_num_queries(12):
        page = admin_client.get(reverse("learners:list")).content.decode()
    assert "30 learners" in page
    assert "Southfield" not in page


def test_centre_admin_with_model_wide_permissions_still_sees_only_their_centre(client, centre, centre_b):
    from django.contrib.auth.models import Permission

    admin = member(centre, Role.CENTRE_ADMIN)
    admin.user_permissions.add(*Permission.objects.filter(content_type__app_label="learners"))
    LearnerFactory(centre=centre_b, first_name="Secret", last_name="Southfield", uln="9276308686")
    client.force_login(admin)
    for query in ("", "Southfield", "9276308686"):
        assert "Secret" not in client.get(reverse("learners:list"), {"q": query}).content.decode()


def test_search_finds_learners_by_name_uln_or_candidate_number(admin_client, centre):
    LearnerFactory(centre=centre, first_name="Zara", last_name="Quinn", candidate_number="0042")
    LearnerFactory(centre=centre, first_name="Ben", last_name="Young")
    for query in ("quinn", "0042"):
        page = admin_client.get(reverse("learners:list"), {"q": query}).content.decode()
        assert "Zara Quinn" in page and "Ben Young" not in page


def test_assessor_sees_exactly_the_learners_allocated_to_them(client, centre, seed_unit):
    assessor = member(centre, Role.ASSESSOR)
    assessor.is_superuser = True
    assessor.save()
    unit = seed_unit
    mine = EnrolmentFactory(learner__centre=centre, learner__last_name="Allocated", unit=unit)
    EnrolmentFactory(learner__centre=centre, learner__last_name="Elsewhere", unit=unit)
    with centre_scope(centre):
        allocate_assessor(enrolment=mine, assessor=assessor)
    client.force_login(assessor)

    page = client.get(reverse("learners:allocated")).content.decode()

    assert "Allocated" in page
    assert "Elsewhere" not in page
    # Each opens the learner's assessment, which the assessor may then follow.
    learner_page = reverse("assessment:enrolment", kwargs={"enrolment_id": mine.pk})
    assert f'href="{learner_page}"' in page
    assert client.get(learner_page).status_code == 200


def test_admin_uploads_a_file_with_two_bad_rows_then_the_fixed_file(admin_client, centre):
    assessor = member(
        centre, Role.ASSESSOR, email="tom@northgate.example", first_name="Tom", last_name="Hughes"
    )
    good = [
        f"Liam,Evans,liam@example.org,{valid_uln(500000000)},0001,R/600/9587,tom@northgate.example",
        f"Mia,Jones,mia@example.org,{valid_uln(500000100)},0002,R/600/9587,",
    ]
    bad = [good[0].replace("0001", "1"), good[1].replace("mia@example.org", "mia-at-example.org")]

    refused = admin_client.post(reverse("learners:import"), {"file": csv(*bad)}).content.decode()

    assert "Nothing was imported: 2 problems to fix" in refused
    assert re.search(
        r"<td>2</td><td>candidate_number</td><td>&#x27;1&#x27;: a candidate number is 4 digits", refused
    )
    assert re.search(r"<td>3</td><td>email</td>", refused)
    with scopes_disabled():
        assert not Learner.objects.exists()

    preview = admin_client.post(reverse("learners:import"), {"file": csv(*good)}).content.decode()
    assert "2 new learners" in preview and "2 new enrolments" in preview
    fields = dict(re.findall(r'name="(upload|plan_fingerprint)" value="([^"]+)"', preview))

    done = admin_client.post(
        reverse("learners:import"), {**fields, "confirm": "1"}, follow=True
    ).content.decode()

    assert "Imported: 2 new learners; 2 new enrolments." in done
    assert "Liam Evans" in done and assessor.get_full_name() in done


def test_confirming_a_preview_after_the_register_changed_shows_the_new_changes(admin_client, centre):
    row = f"Liam,Evans,liam@example.org,{valid_uln(500000000)},0001,,"
    preview = admin_client.post(reverse("learners:import"), {"file": csv(row)}).content.decode()
    fields = dict(re.findall(r'name="(upload|plan_fingerprint)" value="([^"]+)"', preview))
    LearnerFactory(centre=centre, uln=valid_uln(500000000), candidate_number="0001", email="old@example.org")

    response = admin_client.post(reverse("learners:import"), {**fields, "confirm": "1"}).content.decode()

    assert "changed after you checked the file" in response
    assert "learner’s details changed" in response
    with scopes_disabled():
        assert Learner.objects.get().email == "old@example.org"


def test_an_altered_or_foreign_preview_is_refused(admin_client, centre, centre_b, client):
    preview = admin_client.post(
        reverse("learners:import"),
        {"file": csv(f"Liam,Evans,liam@example.org,{valid_uln(500000000)},0001,,")},
    ).content.decode()
    fields = dict(re.findall(r'name="(upload|plan_fingerprint)" value="([^"]+)"', preview))

    altered = admin_client.post(
        reverse("learners:import"), {**fields, "upload": fields["upload"] + "x", "confirm": "1"}, follow=True
    )
    assert "That preview has expired or was altered" in altered.content.decode()

    client.force_login(member(centre_b, Role.CENTRE_ADMIN))
    foreign = client.post(reverse("learners:import"), {**fields, "confirm": "1"}, follow=True)
    assert "That preview has expired or was altered" in foreign.content.decode()
    with scopes_disabled():
        assert not Learner.objects.exists()


def test_centre_admin_changes_an_enrolments_assessor_and_the_grant_follows(admin_client, centre, seed_unit):
    first = member(centre, Role.ASSESSOR)
    second = member(centre, Role.ASSESSOR, first_name="Ria", last_name="Shah")
    enrolment = EnrolmentFactory(learner__centre=centre, unit=seed_unit)
    with centre_scope(centre):
        allocate_assessor(enrolment=enrolment, assessor=first)

    page = admin_client.get(reverse("learners:allocate", args=[enrolment.pk])).content.decode()
    assert "Ria Shah" in page
    done = admin_client.post(
        reverse("learners:allocate", args=[enrolment.pk]), {"assessor": second.pk}, follow=True
    )

    assert (
        "assessor for Develop, maintain and review personal networks is now Ria Shah" in done.content.decode()
    )
    enrolment.refresh_from_db()
    assert enrolment.assessor == second
    assert not enrolment_policy.user_has_permission_for_instance(first, ASSESS, enrolment)


def test_an_assessor_of_another_centre_cannot_be_chosen(admin_client, centre, centre_b, seed_unit):
    outsider = member(centre_b, Role.ASSESSOR)
    enrolment = EnrolmentFactory(learner__centre=centre, unit=seed_unit)

    response = admin_client.post(reverse("learners:allocate", args=[enrolment.pk]), {"assessor": outsider.pk})

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.assessor is None


def test_centre_admin_downloads_only_their_centres_register(admin_client, centre, centre_b, seed_unit):
    EnrolmentFactory(learner__centre=centre, learner__last_name="Evans", unit=seed_unit)
    LearnerFactory(centre=centre_b, first_name="Secret", last_name="Southfield")

    response = admin_client.get(reverse("learners:export"), {"format": "csv"})

    assert response["Content-Disposition"] == 'attachment; filename="learners-10001.csv"'
    assert response["Cache-Control"] == "no-store"
    body = response.content.decode()
    assert body.startswith("first_name,last_name,email,uln,candidate_number,unit_urn,assessor_email")
    assert "Evans" in body and "Southfield" not in body
    assert admin_client.get(reverse("learners:export"), {"format": "xlsx"})["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )
    assert admin_client.get(reverse("learners:export"), {"format": "pdf"}).status_code == 404


def test_search_matches_part_of_a_name_or_email_whatever_the_accents_or_case(
    admin_client, centre, django_assert_max_num_queries
):
    LearnerFactory(
        centre=centre, first_name="Seán", last_name="Ó Briain", email="s.obriain@Northgate.example"
    )
    LearnerFactory(centre=centre, first_name="Siobhán", last_name="O'Neill", email="siobhan@example.org")
    LearnerFactory(centre=centre, first_name="Ben", last_name="Young", email="ben.young@example.org")
    for query in ("Sean", "SEÁN", "o briain", "obriain@north", "northgate.EXAMPLE", "ó bri"):
        with django_assert_max_num_queries(12):
            page = admin_client.get(reverse("learners:list"), {"q": query}).content.decode()
        assert "Seán Ó Briain" in page and "Ben Young" not in page, query
    page = admin_client.get(reverse("learners:list"), {"q": "oneill"}).content.decode()
    assert "Siobhán O&#x27;Neill" in page and "Seán" not in page


def test_learners_are_listed_as_a_person_files_names(admin_client, centre):
    names = [
        ("Fatima", "Ahmed"),
        ("Luiza", "de Souza"),
        ("Björk", "Ólafsdóttir"),
        ("Siobhán", "O'Neill"),
        ("Wei", "张"),
    ]
    for first, last in reversed(names):
        LearnerFactory(centre=centre, first_name=first, last_name=last)
    page = admin_client.get(reverse("learners:list")).content.decode()
    shown = re.findall(r'<th scope="row">([^<]+)</th>', page)
    assert shown == [f"{first} {last}".replace("'", "&#x27;") for first, last in names]
