"""Where things go on the network map: its sizes, colours and geometry, and the placing of
labels so that none covers another or a node."""

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

STRENGTH_NAMES = {3: "Strong", 2: "Developing", 1: "Weak or new"}

# Stronger contacts sit nearer "You", so distance reads as closeness.
RING_RADII = {3: 135, 2: 225, 1: 310}

# Each at least 3:1 against white (WCAG non-text contrast), and told apart without colour
# by the ring they sit on.
NODE_FILLS = {3: "#1d4f91", 2: "#00796b", 1: "#b34700"}
TEXT_COLOUR = "#1b1b1b"
LINE_COLOUR = "#6b6b6b"
SPOKE_COLOUR = "#949494"
BACKGROUND = "#ffffff"

# Square, and wide enough for a sector's name beside the outer ring at either side.
CANVAS_SIZE = 1000
CENTRE = CANVAS_SIZE / 2
YOU_RADIUS = 28

# Wedge boundaries and the line the rings are named on reach a little past the outer ring.
LINE_END_RADIUS = RING_RADII[1] + 14
SECTOR_LABEL_RADIUS = RING_RADII[1] + 34

# Left free of wedges at twelve o'clock, round the line where the rings are named, so
# that no node can cover a ring's name.
RING_NAME_GAP = math.radians(26)
LARGEST_NODE_HALF_SIZE = 9

# Crowded rings get smaller nodes, so that they stay apart for longer; below this a node
# is too small to see its shape.
SMALLEST_NODE_HALF_SIZE = 3
LABEL_FONT_SIZE = 13
SECTOR_FONT_SIZE = 14
RING_FONT_SIZE = 13
YOU_FONT_SIZE = 16
LABEL_MAX_LENGTH = 24
SECTOR_LINE_MAX_LENGTH = 18
SECTOR_MAX_LINES = 2

# The text's real width is the browser's or WeasyPrint's business; this generous average
# for sans-serif faces is only for keeping labels apart.
AVERAGE_GLYPH_WIDTH = 0.6
LABEL_GAP = 4
BACKING_PADDING = 2

# Characters XML 1.0 cannot carry: one of them in a label would make the whole picture
# unparseable.
NOT_XML_CHARACTERS = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean_text(text: str) -> str:
    return NOT_XML_CHARACTERS.sub("", " ".join(text.split()))


def shortened(text: str, max_length: int) -> str:
    return text if len(text) <= max_length else text[: max_length - 1] + "…"


def number(value: float) -> str:
    # Adding 0.0 turns -0.0 into 0.0, so a coordinate never prints as "-0".
    return format(round(value, 1) + 0.0, "g")


def start_angle(wedge_index: int, wedge_angle: float) -> float:
    # Wedges run clockwise (SVG's y axis points down) from just past twelve o'clock.
    return -math.pi / 2 + RING_NAME_GAP / 2 + wedge_index * wedge_angle


def point_at(radius: float, angle: float) -> tuple[float, float]:
    return CENTRE + radius * math.cos(angle), CENTRE + radius * math.sin(angle)


@dataclass(frozen=True)
class Box:
    left: float
    top: float
    right: float
    bottom: float

    def overlap(self, other: "Box") -> float:
        width = min(self.right, other.right) - max(self.left, other.left)
        height = min(self.bottom, other.bottom) - max(self.top, other.top)
        return width * height if width > 0 and height > 0 else 0.0

    def area_outside_canvas(self) -> float:
        inside = self.overlap(Box(0, 0, CANVAS_SIZE, CANVAS_SIZE))
        return (self.right - self.left) * (self.bottom - self.top) - inside


def box_path(box: Box) -> str:
    width = box.right - box.left
    height = box.bottom - box.top
    return f"M{number(box.left)} {number(box.top)}h{number(width)}v{number(height)}h{number(-width)}z"


@dataclass(frozen=True)
class TextPlacement:
    x: float
    baseline: float
    anchor: str
    box: Box


def text_placement(text: str, font_size: float, *, x: float, baseline: float, anchor: str) -> TextPlacement:
    width = len(text) * font_size * AVERAGE_GLYPH_WIDTH
    left = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
    # Ascenders reach about 0.8em above the baseline, descenders about 0.25em below it.
    box = Box(left, baseline - 0.8 * font_size, left + width, baseline + 0.25 * font_size)
    return TextPlacement(x=x, baseline=baseline, anchor=anchor, box=box)


class LabelLayout:
    """Keeps labels off each other, off the nodes and inside the canvas, as far as the room
    allows: each label takes the first of its candidate places that is clear, or else the
    one that covers least."""

    def __init__(self):
        self.obstacles: list[Box] = []

    def add_obstacle(self, box: Box) -> None:
        self.obstacles.append(box)

    def choose(self, candidates: Sequence[TextPlacement]) -> TextPlacement:
        best, best_cost = None, math.inf
        for candidate in candidates:
            # Text cut off at the canvas's edge is worse than text crossing other text.
            cost = 10 * candidate.box.area_outside_canvas() + sum(
                candidate.box.overlap(obstacle) for obstacle in self.obstacles
            )
            if cost < best_cost:
                best, best_cost = candidate, cost
            if cost == 0:
                break
        self.add_obstacle(best.box)
        return best


def add_text(
    parent: ET.Element, text: str, placement: TextPlacement, font_size: float, **attributes: str
) -> None:
    # A white backing keeps the text at full contrast where it crosses a line.
    padded = Box(
        placement.box.left - BACKING_PADDING,
        placement.box.top - BACKING_PADDING,
        placement.box.right + BACKING_PADDING,
        placement.box.bottom + BACKING_PADDING,
    )
    ET.SubElement(parent, "path", {"class": "label-backing", "d": box_path(padded), "fill": BACKGROUND})
    ET.SubElement(
        parent,
        "text",
        {
            **attributes,
            "x": number(placement.x),
            "y": number(placement.baseline),
            "text-anchor": placement.anchor,
            "font-size": number(font_size),
            "fill": TEXT_COLOUR,
        },
    ).text = text


@dataclass(frozen=True)
class MapContact:
    label: str  # what to print beside the node: a name, or a pseudonym such as "C7"
    sector: str  # the sector's display label, e.g. "Finance", "Public sector"
    strength: int  # 1 = weak or new, 2 = developing, 3 = strong
    is_organisation: bool = False

    def __post_init__(self):
        if self.strength not in STRENGTH_NAMES:
            raise ValueError(f"A contact's strength is 1, 2 or 3, not {self.strength!r}.")
