"""A qualification in memory, and Waymark's qualification JSON interchange format.

A qualification is made of the catalogue's units, referred to by URN, under its rules of
combination: groups of units (a mandatory group takes every unit in it; an optional group
may ask for a minimum and allow a maximum of credits or of units), combinations of units
that may not be taken together, and a minimum of credits from units at or above a level.

The rules that need nothing but the qualification itself live here, for the importer and
the Wagtail editor alike; those that need the catalogue (does the unit exist, how many
credits is it worth) are checked by ``units.services.import_qualification``.
"""

import json
import re
from dataclasses import dataclass, field
from typing import Any

from units.spec import FORBIDDEN_CHARACTERS_RE, LARGEST_NUMBER, SURROGATE_RE, URN_RE, Problem, UnitSpecError

# Ofqual's qualification number: 601/1234/5 (the last character may be X).
QUALIFICATION_NUMBER_RE = re.compile(r"^\d{3}/\d{4}/[\dX]$")
QUALIFICATION_TEXT_LIMITS = {"title": 255, "awarding_body": 150}
GROUP_NAME_LIMIT = 100
LIMIT_FIELDS = ("min_credits", "max_credits", "min_units", "max_units")


class QualificationSpecError(UnitSpecError):
    """A qualification that cannot be accepted, with every problem found."""


@dataclass(frozen=True)
class UnitGroupSpec:
    name: str
    mandatory: bool
    units: tuple[str, ...]
    min_credits: int | None = None
    max_credits: int | None = None
    min_units: int | None = None
    max_units: int | None = None
    where: str = field(default="", compare=False)

    @property
    def rule(self) -> str:
        """The group's rule in words, as a learner and their assessor read it."""
        if self.mandatory:
            return "Every unit in this group must be achieved."
        asks = [
            " and ".join(
                f"{bound} {value} {kind if value != 1 else kind[:-1]}"
                for bound, value in (("at least", low), ("at most", high))
                if value is not None
            )
            for kind, low, high in (
                ("credits", self.min_credits, self.max_credits),
                ("units", self.min_units, self.max_units),
            )
        ]
        if not any(asks):
            return "Any of these units may be chosen."
        return f"Choose {', and '.join(ask for ask in asks if ask)} from this group."


@dataclass(frozen=True)
class LevelMinimumSpec:
    """At least ``credits`` from units at ``level`` or above."""

    level: int
    credits: int


@dataclass(frozen=True)
class QualificationSpec:
    number: str
    title: str
    groups: tuple[UnitGroupSpec, ...]
    awarding_body: str = ""
    level: int | None = None
    total_qualification_time: int | None = None
    guided_learning_hours: int | None = None
    total_credits: int | None = None
    barred_combinations: tuple[tuple[str, ...], ...] = ()
    credits_at_or_above_level: LevelMinimumSpec | None = None

    @property
    def urns(self) -> list[str]:
        """Every unit of the qualification, group by group."""
        return [urn for group in self.groups for urn in group.units]

    def group_of(self, urn: str) -> UnitGroupSpec | None:
        return next((group for group in self.groups if urn in group.units), None)


QUALIFICATION_METADATA_FIELDS = (
    "awarding_body",
    "level",
    "total_qualification_time",
    "guided_learning_hours",
    "total_credits",
)
QUALIFICATION_INTEGER_FIELDS = ("level", "total_qualification_time", "guided_learning_hours", "total_credits")
QUALIFICATION_FIELD_LABELS = {
    "title": "Title",
    "awarding_body": "Awarding body",
    "level": "Level",
    "total_qualification_time": "Total qualification time (TQT)",
    "guided_learning_hours": "Guided learning hours (GLH)",
    "total_credits": "Total credits",
}
# What the page keeps as its rules of combination: the JSON format's fields beyond the details.
RULES_FIELDS = ("groups", "barred_combinations", "credits_at_or_above_level")


def qualification_problems(spec: QualificationSpec, where: dict[str, str] | None = None) -> list[Problem]:
    """The rules a qualification keeps by itself; ``where`` names where each field was read."""
    where = where or {}
    problems = []
    if not spec.number:
        problems.append(Problem(where.get("number", ""), "the qualification number is missing"))
    elif not QUALIFICATION_NUMBER_RE.match(spec.number):
        problems.append(
            Problem(
                where.get("number", ""),
                f"the qualification number {spec.number!r} is not of the form 601/1234/5",
            )
        )
    if not spec.title.strip():
        problems.append(Problem(where.get("title", ""), "the qualification title is missing"))
    for name, limit in QUALIFICATION_TEXT_LIMITS.items():
        if len(getattr(spec, name)) > limit:
            problems.append(
                Problem(
                    where.get(name, ""), f"the {name.replace('_', ' ')} is longer than {limit} characters"
                )
            )
    if spec.level is not None and not 1 <= spec.level <= 8:
        problems.append(Problem(where.get("level", ""), f"level {spec.level} is not a level from 1 to 8"))
    texts = [spec.number, spec.title, spec.awarding_body, *(group.name for group in spec.groups)]
    if any(FORBIDDEN_CHARACTERS_RE.search(text) for text in texts):
        problems.append(Problem("", "the qualification's text contains control characters"))
    return problems + rules_problems(spec, where)


def rules_problems(spec: QualificationSpec, where: dict[str, str] | None = None) -> list[Problem]:
    """The rules of combination's own consistency: every unit in one group only, limits
    that can be met, and barred combinations of the qualification's own units that a
    learner could avoid."""
    where = where or {}
    problems = []
    if not spec.groups:
        problems.append(Problem(where.get("groups", ""), "the qualification has no groups of units"))
    first_group_of: dict[str, UnitGroupSpec] = {}
    names: set[str] = set()
    for group in spec.groups:
        if not group.name.strip():
            problems.append(Problem(group.where, "the group has no name"))
        elif group.name in names:
            problems.append(Problem(group.where, f"another group is also called {group.name!r}"))
        elif len(group.name) > GROUP_NAME_LIMIT:
            problems.append(
                Problem(group.where, f"the group's name is longer than {GROUP_NAME_LIMIT} characters")
            )
        names.add(group.name)
        if not group.units:
            problems.append(Problem(group.where, f"the group {group.name!r} has no units"))
        for position, urn in enumerate(group.units):
            if not URN_RE.match(urn):
                problems.append(
                    Problem(group.where, f"{urn!r} is not a unit reference number like R/600/9587")
                )
                continue
            earlier = first_group_of.setdefault(urn, group)
            if earlier is group:
                if group.units.count(urn) > 1 and group.units.index(urn) == position:  # said once
                    problems.append(
                        Problem(group.where, f"{urn} is listed twice in the group {group.name!r}")
                    )
            else:
                problems.append(
                    Problem(
                        group.where,
                        f"{urn} is in both the group {earlier.name!r} and the group {group.name!r}",
                    )
                )
        problems.extend(_limit_problems(group))
    urns = set(first_group_of)
    for index, combination in enumerate(spec.barred_combinations):
        place = f"{where.get('barred_combinations', '')}[{index}]"
        if len(set(combination)) < 2:
            problems.append(Problem(place, "a barred combination names at least two different units"))
            continue
        if outside := [urn for urn in combination if urn not in urns]:
            problems.append(Problem(place, f"{', '.join(outside)} is not a unit of this qualification"))
            continue
        if all(first_group_of[urn].mandatory for urn in combination):
            problems.append(
                Problem(
                    place, f"{' and '.join(combination)} are all mandatory, so no learner could avoid them"
                )
            )
    minimum = spec.credits_at_or_above_level
    if minimum is not None and not 1 <= minimum.level <= 8:
        problems.append(
            Problem(
                where.get("credits_at_or_above_level", ""),
                f"level {minimum.level} is not a level from 1 to 8",
            )
        )
    return problems


def _limit_problems(group: UnitGroupSpec) -> list[Problem]:
    limits = {name: getattr(group, name) for name in LIMIT_FIELDS}
    if group.mandatory:
        if given := [name for name, value in limits.items() if value is not None]:
            return [
                Problem(
                    group.where,
                    f"the mandatory group {group.name!r} takes every unit in it, so it has no "
                    f"{', '.join(name.replace('_', ' ') for name in given)}",
                )
            ]
        return []
    problems = []
    if group.min_units is not None and group.min_units > len(group.units):
        problems.append(
            Problem(
                group.where,
                f"the group {group.name!r} asks for at least {group.min_units} units but has only "
                f"{len(group.units)}",
            )
        )
    for kind in ("credits", "units"):
        low, high = limits[f"min_{kind}"], limits[f"max_{kind}"]
        if low is not None and high is not None and low > high:
            problems.append(
                Problem(
                    group.where,
                    f"the group {group.name!r} asks for at least {low} {kind} but allows at most {high}",
                )
            )
    return problems


# The JSON format.


def qualification_to_json_data(spec: QualificationSpec) -> dict[str, Any]:
    data: dict[str, Any] = {"number": spec.number, "title": spec.title}
    for name in QUALIFICATION_METADATA_FIELDS:
        data[name] = getattr(spec, name)
    data["groups"] = [
        {
            "name": group.name,
            "mandatory": group.mandatory,
            # A mandatory group takes every unit in it: it has no limits to write.
            **({} if group.mandatory else {name: getattr(group, name) for name in LIMIT_FIELDS}),
            "units": list(group.units),
        }
        for group in spec.groups
    ]
    data["barred_combinations"] = [list(combination) for combination in spec.barred_combinations]
    minimum = spec.credits_at_or_above_level
    data["credits_at_or_above_level"] = (
        {"level": minimum.level, "credits": minimum.credits} if minimum is not None else None
    )
    return data


def qualification_to_json(spec: QualificationSpec) -> str:
    return json.dumps(qualification_to_json_data(spec), indent=2, ensure_ascii=False) + "\n"


def qualification_from_json(text: str) -> QualificationSpec:
    """Read Waymark's qualification JSON, naming the path of every value that is wrong."""
    return qualification_from_data(json_object(text))


def json_object(text: str) -> dict:
    """The JSON object ``text`` holds, or refused saying why it is none."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise QualificationSpecError(
            [Problem(f"line {error.lineno}, column {error.colno}", f"not valid JSON: {error.msg}")]
        ) from None
    except (ValueError, RecursionError):
        raise QualificationSpecError(
            [Problem("", "not a qualification JSON file: a value is too large or too deeply nested")]
        ) from None
    if not isinstance(data, dict):
        raise QualificationSpecError([Problem("$", "a qualification must be a JSON object")])
    return data


def qualification_from_data(data: dict) -> QualificationSpec:
    """The qualification a decoded JSON object describes (also the rules the Wagtail editor keeps)."""
    reader = _Reader()
    known = {"number", "title", *QUALIFICATION_METADATA_FIELDS, *RULES_FIELDS}
    reader.unknown_keys(data, known, "$")

    groups = []
    for index, raw in enumerate(reader.list_at(data, "groups", "$", "a list of groups of units")):
        path = f"$.groups[{index}]"
        if not isinstance(raw, dict):
            reader.problem(path, "must be an object")
            continue
        reader.unknown_keys(raw, {"name", "mandatory", *LIMIT_FIELDS, "units"}, path)
        mandatory = raw.get("mandatory", False)
        if not isinstance(mandatory, bool):
            reader.problem(f"{path}.mandatory", "must be true or false")
            mandatory = False
        units = [
            reader.text(urn, f"{path}.units[{n}]")
            for n, urn in enumerate(reader.list_at(raw, "units", path, "a list of unit reference numbers"))
        ]
        groups.append(
            UnitGroupSpec(
                name=reader.text_at(raw, "name", path),
                mandatory=mandatory,
                units=tuple(units),
                **{name: reader.integer_at(raw, name, path) for name in LIMIT_FIELDS},
                where=path,
            )
        )

    barred = []
    for index, raw in enumerate(reader.list_at(data, "barred_combinations", "$", "a list of lists of units")):
        path = f"$.barred_combinations[{index}]"
        if not isinstance(raw, list):
            reader.problem(path, "must be a list of unit reference numbers")
            continue
        barred.append(tuple(reader.text(urn, f"{path}[{n}]") for n, urn in enumerate(raw)))

    minimum = None
    raw_minimum = data.get("credits_at_or_above_level")
    if isinstance(raw_minimum, dict):
        path = "$.credits_at_or_above_level"
        reader.unknown_keys(raw_minimum, {"level", "credits"}, path)
        level, credits = (
            reader.integer_at(raw_minimum, "level", path),
            reader.integer_at(raw_minimum, "credits", path),
        )
        if level is None or credits is None:
            reader.problem(path, "needs both a level and a number of credits")
        else:
            minimum = LevelMinimumSpec(level=level, credits=credits)
    elif raw_minimum is not None:
        reader.problem("$.credits_at_or_above_level", "must be an object with a level and credits, or null")

    metadata: dict[str, Any] = {}
    for name in QUALIFICATION_METADATA_FIELDS:
        if name in QUALIFICATION_INTEGER_FIELDS:
            metadata[name] = reader.integer_at(data, name, "$")
        else:
            metadata[name] = reader.text_at(data, name, "$")
    spec = QualificationSpec(
        number=reader.text_at(data, "number", "$"),
        title=reader.text_at(data, "title", "$"),
        groups=tuple(groups),
        barred_combinations=tuple(barred),
        credits_at_or_above_level=minimum,
        **metadata,
    )
    problems = reader.problems + qualification_problems(spec, {name: f"$.{name}" for name in known})
    if problems:
        raise QualificationSpecError(problems)
    return spec


class _Reader:
    """Reads values out of decoded JSON, keeping a problem, with its path, for each wrong one."""

    def __init__(self):
        self.problems: list[Problem] = []

    def problem(self, where: str, message: str) -> None:
        self.problems.append(Problem(where, message))

    def unknown_keys(self, container: dict, known: set[str], path: str) -> None:
        for key in container:
            if key not in known:
                shown = key.encode("utf-8", "backslashreplace").decode("utf-8")
                self.problem(f"{path}.{shown}", "is not a field of the qualification format")

    def text(self, value, where: str) -> str:
        if not isinstance(value, str):
            self.problem(where, "must be a string")
            return ""
        if SURROGATE_RE.search(value):
            self.problem(where, "holds an unpaired surrogate (\\ud800 to \\udfff)")
            return ""
        return value

    def text_at(self, container: dict, key: str, path: str) -> str:
        # A missing text is reported by the qualification's own rules, once.
        value = container.get(key)
        return "" if value is None else self.text(value, f"{path}.{key}")

    def integer_at(self, container: dict, key: str, path: str) -> int | None:
        value = container.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= LARGEST_NUMBER:
            self.problem(f"{path}.{key}", f"must be a whole number from 0 to {LARGEST_NUMBER}")
            return None
        return value

    def list_at(self, container: dict, key: str, path: str, what: str) -> list:
        value = container.get(key, [])
        if not isinstance(value, list):
            self.problem(f"{path}.{key}", f"must be {what}")
            return []
        return value


def rules_data(spec: QualificationSpec) -> dict[str, Any]:
    """The rules of combination alone, as a qualification page keeps them."""
    data = qualification_to_json_data(spec)
    return {name: data[name] for name in RULES_FIELDS}


def choice_problems(spec: QualificationSpec, chosen: set[str], credits: dict[str, int]) -> list[str]:
    """Why a learner may not take the units ``chosen`` (with the mandatory units, which are
    theirs without choosing) on ``spec``, each naming the rule; ``credits`` gives each
    unit's credit value. A minimum not reached yet is no reason: it is what remains."""
    problems = [
        f"{urn} is not a unit of the qualification {spec.number}" for urn in sorted(chosen - set(spec.urns))
    ]
    taken = chosen | {urn for group in spec.groups if group.mandatory for urn in group.units}
    for combination in spec.barred_combinations:
        if set(combination) <= taken:
            problems.append(f"{' and '.join(combination)} may not be taken together (a barred combination)")
    for group in spec.groups:
        if group.mandatory:
            continue
        in_group = [urn for urn in group.units if urn in taken]
        worth = sum(credits.get(urn, 0) for urn in in_group)
        if group.max_units is not None and len(in_group) > group.max_units:
            problems.append(
                f"the group {group.name!r} allows at most {_count(group.max_units, 'unit')}; "
                f"{len(in_group)} are chosen"
            )
        if group.max_credits is not None and worth > group.max_credits:
            problems.append(
                f"the group {group.name!r} allows at most {_count(group.max_credits, 'credit')}; the units "
                f"chosen are worth {worth}"
            )
    return problems


@dataclass(frozen=True)
class GroupProgress:
    """Where a learner stands in one group: the units they take in it, those achieved, and
    what the group still asks for ("" when its rule is met)."""

    group: UnitGroupSpec
    taken: tuple[str, ...]
    achieved: tuple[str, ...]
    credits_achieved: int
    remaining: str


@dataclass(frozen=True)
class QualificationProgress:
    groups: tuple[GroupProgress, ...]
    credits_achieved: int
    remaining: tuple[str, ...]

    @property
    def met(self) -> bool:
        """Whether the units achieved meet the rules of combination."""
        return not self.remaining


def progress(
    spec: QualificationSpec,
    *,
    chosen: set[str],
    achieved: set[str],
    credits: dict[str, int],
    levels: dict[str, int],
) -> QualificationProgress:
    """Where a learner who chose ``chosen`` and has achieved ``achieved`` (units signed off)
    stands against the rules of combination of ``spec``."""
    groups, remaining = [], []
    for group in spec.groups:
        taken = tuple(urn for urn in group.units if group.mandatory or urn in chosen)
        done = tuple(urn for urn in taken if urn in achieved)
        worth = sum(credits.get(urn, 0) for urn in done)
        still = _group_remaining(group, done, worth)
        groups.append(GroupProgress(group, taken, done, worth, still))
        if still:
            remaining.append(still)
    achieved_units = {urn for group in groups for urn in group.achieved}
    total = sum(credits.get(urn, 0) for urn in achieved_units)
    if (minimum := spec.credits_at_or_above_level) is not None:
        at_level = sum(credits.get(urn, 0) for urn in achieved_units if levels.get(urn, 0) >= minimum.level)
        if at_level < minimum.credits:
            remaining.append(
                f"{minimum.credits - at_level} more credits from units at level {minimum.level} or above"
            )
    if spec.total_credits is not None and total < spec.total_credits:
        remaining.append(
            f"{spec.total_credits - total} more credits in all, of the {spec.total_credits} needed"
        )
    return QualificationProgress(tuple(groups), total, tuple(remaining))


def _group_remaining(group: UnitGroupSpec, done: tuple[str, ...], worth: int) -> str:
    if group.mandatory:
        missing = len(group.units) - len(done)
        return f"{missing} of the mandatory units in {group.name!r} not yet achieved" if missing else ""
    asks = []
    if group.min_units is not None and len(done) < group.min_units:
        asks.append(_more(group.min_units - len(done), "unit"))
    if group.min_credits is not None and worth < group.min_credits:
        asks.append(_more(group.min_credits - worth, "credit"))
    return f"{' and '.join(asks)} from {group.name!r}" if asks else ""


def _count(count: int, thing: str) -> str:
    return f"{count} {thing}{'s' if count != 1 else ''}"


def _more(count: int, thing: str) -> str:
    return f"{count} more {thing}{'s' if count != 1 else ''}"
