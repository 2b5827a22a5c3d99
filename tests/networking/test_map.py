"""The network map is read back as XML, the way a browser or WeasyPrint would read it, so
the tests check what is drawn rather than how the markup happens to be spelt."""

import io
import itertools
import math
import re
import xml.etree.ElementTree as ET

import pytest
from pypdf import PdfReader
from weasyprint import HTML

from networking.map import MapContact, network_map_svg

SVG = "{http://www.w3.org/2000/svg}"
CENTRE = 500

REGISTER = [
    MapContact(label="Priya Shah", sector="Finance", strength=3),
    MapContact(label="Northgate Council", sector="Public sector", strength=1, is_organisation=True),
    MapContact(label="C7", sector="Finance", strength=2),
    MapContact(label="Tom O'Neill", sector="Retail", strength=1),
    MapContact(label="Bank of the North", sector="Finance", strength=3, is_organisation=True),
]


def parsed(markup: str) -> ET.Element:
    # Markup the module under test has just made, not a stranger's document.
    return ET.fromstring(markup)  # noqa: S314


def drawn(contacts, title="Ada Lovelace's network") -> ET.Element:
    return parsed(network_map_svg(contacts, title=title))


def contact_groups(root: ET.Element) -> list[ET.Element]:
    return [group for group in root.iter(f"{SVG}g") if group.get("class") == "contact"]


def node_of(group: ET.Element) -> ET.Element:
    (node,) = [element for element in group if element.get("class") == "node"]
    return node


def label_of(group: ET.Element) -> str:
    return group.find(f"{SVG}text").text


def centre_of(node: ET.Element) -> tuple[float, float]:
    if node.tag == f"{SVG}circle":
        return float(node.get("cx")), float(node.get("cy"))
    left, top, width = (float(value) for value in re.findall(r"-?[\d.]+", node.get("d"))[:3])
    return left + width / 2, top + width / 2


def rounded(point: tuple[float, float]) -> tuple[int, int]:
    return round(point[0]), round(point[1])


def distance_from_you(group: ET.Element) -> float:
    x, y = centre_of(node_of(group))
    return math.hypot(x - CENTRE, y - CENTRE)


def angle_from_you(x: float, y: float) -> float:
    return math.atan2(y - CENTRE, x - CENTRE)


def groups_by_label(root: ET.Element) -> dict[str, ET.Element]:
    return {label_of(group): group for group in contact_groups(root)}


def ids_of(root: ET.Element) -> list[str]:
    return [element.get("id") for element in root.iter() if element.get("id")]


def texts(root: ET.Element) -> list[str]:
    return [element.text for element in root.iter(f"{SVG}text")]


def relative_luminance(colour: str) -> float:
    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (int(colour[index : index + 2], 16) for index in (1, 3, 5))
    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast_with_white(colour: str) -> float:
    return 1.05 / (relative_luminance(colour) + 0.05)


def test_each_contact_is_one_node_with_its_label_printed_beside_it():
    groups = contact_groups(drawn(REGISTER))

    assert len(groups) == len(REGISTER)
    assert sorted(label_of(group) for group in groups) == sorted(contact.label for contact in REGISTER)


def test_people_are_circles_and_organisations_are_squares():
    groups = groups_by_label(drawn(REGISTER))

    for contact in REGISTER:
        node = node_of(groups[contact.label])
        if contact.is_organisation:
            assert node.tag == f"{SVG}path"
            assert re.fullmatch(r"M[\d.]+ [\d.]+h([\d.]+)v\1h-\1z", node.get("d"))
        else:
            assert node.tag == f"{SVG}circle"


def test_stronger_contacts_sit_nearer_you():
    groups = groups_by_label(drawn(REGISTER))
    distances = {strength: set() for strength in (1, 2, 3)}
    for contact in REGISTER:
        distances[contact.strength].add(round(distance_from_you(groups[contact.label])))

    assert max(distances[3]) < min(distances[2])
    assert max(distances[2]) < min(distances[1])


def test_each_ring_is_named_so_that_distance_reads_without_colour():
    assert {"Strong", "Developing", "Weak or new"} <= set(texts(drawn(REGISTER)))


def test_each_sector_is_labelled_once_in_alphabetical_order_whatever_the_case():
    contacts = [
        MapContact(label="A", sector="retail", strength=1),
        MapContact(label="B", sector="Finance", strength=2),
        MapContact(label="C", sector="Health and social care", strength=3),
        MapContact(label="D", sector="Finance", strength=3),
    ]
    sector_labels = [
        " ".join(text.text for text in group.iter(f"{SVG}text"))
        for group in drawn(contacts).iter(f"{SVG}g")
        if group.get("class") == "sector-label"
    ]

    assert sector_labels == ["Finance", "Health and social care", "retail"]


def test_nodes_sharing_a_ring_and_a_wedge_are_spread_evenly_and_never_on_a_boundary():
    contacts = [MapContact(label=f"F{number}", sector="Finance", strength=2) for number in range(4)] + [
        MapContact(label="R1", sector="Retail", strength=2)
    ]
    root = drawn(contacts)
    boundary_angles = [
        angle_from_you(float(line.get("x2")), float(line.get("y2")))
        for group in root.iter(f"{SVG}g")
        if group.get("class") == "wedge-boundaries"
        for line in group.iter(f"{SVG}line")
    ]
    groups = groups_by_label(root)
    finance_angles = sorted(angle_from_you(*centre_of(node_of(groups[f"F{number}"]))) for number in range(4))
    steps = [later - earlier for earlier, later in itertools.pairwise(finance_angles)]

    assert len(boundary_angles) == 1
    assert max(steps) - min(steps) < 0.01
    for group in groups.values():
        node_angle = angle_from_you(*centre_of(node_of(group)))
        for boundary in boundary_angles:
            assert abs(math.remainder(node_angle - boundary, 2 * math.pi)) > 0.05


def test_a_line_joins_you_to_each_node():
    root = drawn(REGISTER)
    (spokes,) = [group for group in root.iter(f"{SVG}g") if group.get("class") == "spokes"]
    ends = {
        rounded((float(line.get("x2")), float(line.get("y2"))))
        for line in spokes.iter(f"{SVG}line")
        if (float(line.get("x1")), float(line.get("y1"))) == (CENTRE, CENTRE)
    }

    assert ends == {rounded(centre_of(node_of(group))) for group in contact_groups(root)}


def test_hostile_labels_come_out_as_inert_text():
    hostile = ['<script>alert(1)</script>"', '" onload="x', "<img src=x onerror=y>"]
    contacts = [MapContact(label=label, sector=label, strength=1) for label in hostile]
    markup = network_map_svg(contacts, title="<script>alert(2)</script>")
    root = parsed(markup)

    assert "<script" not in markup
    assert "<img" not in markup
    assert not [element for element in root.iter() if element.tag in (f"{SVG}script", f"{SVG}img")]
    assert not [element for element in root.iter() if {"onload", "onerror", "src"} & set(element.attrib)]
    assert root.find(f"{SVG}title").text == "<script>alert(2)</script>"
    assert {'" onload="x', "<img src=x onerror=y>"} <= set(texts(root))
    full_names = {group.find(f"{SVG}title").text.split(" (")[0] for group in contact_groups(root)}
    assert full_names == set(hostile)


def test_characters_xml_cannot_carry_are_dropped_so_the_picture_still_parses():
    contacts = [MapContact(label="Bell\x07 and\x00 Co\ufffe", sector="Fin\x1bance", strength=2)]

    root = drawn(contacts, title="Network\x0c")

    assert "Bell and Co" in texts(root)
    assert "Finance" in texts(root)
    assert root.find(f"{SVG}title").text == "Network"


def test_labels_longer_than_24_characters_are_cut_to_23_and_an_ellipsis():
    contacts = [
        MapContact(label="The Worshipful Company of Chartered Accountants", sector="Finance", strength=3),
        MapContact(label="Exactly twenty-four char", sector="Finance", strength=2),
    ]

    printed = set(texts(drawn(contacts)))

    assert "The Worshipful Company …" in printed
    assert len("The Worshipful Company …") == 24
    assert "Exactly twenty-four char" in printed


def test_an_empty_register_still_draws_you_and_says_there_are_no_contacts_yet():
    root = drawn([])

    assert contact_groups(root) == []
    assert {"You", "No contacts yet"} <= set(texts(root))
    assert root.find(f"{SVG}desc").text == "No contacts yet."


def test_the_same_register_in_any_order_gives_identical_markup():
    assert network_map_svg(REGISTER, title="Network") == network_map_svg(REGISTER[::-1], title="Network")


def test_element_ids_come_from_the_content_so_two_maps_on_one_page_do_not_clash():
    current_ids = ids_of(drawn(REGISTER, title="Network, version 2"))
    previous_ids = ids_of(drawn(REGISTER[:-1], title="Network, version 1"))

    assert current_ids == ids_of(drawn(REGISTER[::-1], title="Network, version 2"))
    assert len(set(current_ids + previous_ids)) == 4


def test_the_picture_is_named_and_described_for_assistive_technology():
    root = drawn(REGISTER, title="Ada Lovelace's network")
    title_id, desc_id = root.get("aria-labelledby").split()

    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("viewBox") == "0 0 1000 1000"
    assert root.find(f"{SVG}title").get("id") == title_id
    assert root.find(f"{SVG}title").text == "Ada Lovelace's network"
    assert root.find(f"{SVG}desc").get("id") == desc_id
    assert root.find(f"{SVG}desc").text == "5 contacts in 3 sectors: 2 strong, 1 developing, 2 weak or new."


def test_the_description_of_a_single_contact_is_in_the_singular():
    root = drawn([MapContact(label="C7", sector="Retail", strength=2)])

    assert root.find(f"{SVG}desc").text == "1 contact in 1 sector: 0 strong, 1 developing, 0 weak or new."


def test_nothing_needs_styles_scripts_or_anything_fetched():
    root = drawn(REGISTER)
    tags = {element.tag.removeprefix(SVG) for element in root.iter()}

    assert tags <= {"svg", "g", "title", "desc", "circle", "line", "path", "text"}
    assert not [element for element in root.iter() if "style" in element.attrib]
    assert not [element for element in root.iter() if any("href" in name for name in element.attrib)]


def test_text_is_dark_enough_to_read_and_nodes_stand_out_from_white():
    root = drawn(REGISTER)

    for text in root.iter(f"{SVG}text"):
        assert contrast_with_white(text.get("fill")) >= 4.5
    for group in contact_groups(root):
        assert contrast_with_white(node_of(group).get("fill")) >= 3


def test_a_strength_other_than_1_2_or_3_is_refused():
    with pytest.raises(ValueError, match="1, 2 or 3"):
        MapContact(label="C7", sector="Retail", strength=4)


def test_three_hundred_contacts_still_give_a_valid_picture():
    contacts = [
        MapContact(
            label=f"Contact number {number}",
            sector=f"Sector {number % 9}",
            strength=number % 3 + 1,
            is_organisation=number % 4 == 0,
        )
        for number in range(300)
    ]

    root = drawn(contacts)

    assert len(contact_groups(root)) == 300
    for group in contact_groups(root):
        x, y = centre_of(node_of(group))
        assert 0 < x < 1000
        assert 0 < y < 1000


def test_the_map_reaches_a_pdf_as_text():
    svg = network_map_svg(REGISTER, title="Network")

    pdf = HTML(string=f"<html lang='en-GB'><body><h1>Personal network</h1>{svg}</body></html>").write_pdf()

    extracted = "".join(pdf_page.extract_text() for pdf_page in PdfReader(io.BytesIO(pdf)).pages)
    # WeasyPrint draws SVG text a glyph at a time, leaving gaps for spaces, and pypdf
    # does not always turn a gap back into a space.
    without_spaces = "".join(extracted.split())
    assert "NorthgateCouncil" in without_spaces
    assert "Publicsector" in without_spaces
