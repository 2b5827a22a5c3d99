from axe_playwright_python.sync_playwright import Axe

_axe = Axe()

# Colours part-way through a transition are not what a person reads: show every element
# in its final state before measuring contrast.
_AT_REST = "*, *::before, *::after { transition: none !important; animation: none !important; }"


def assert_no_accessibility_violations(page) -> None:
    """Run axe-core on the page as it stands and fail on any violation, listing each
    rule with the elements that break it."""
    page.add_style_tag(content=_AT_REST)
    violations = _axe.run(page).response["violations"]
    report = "\n".join(
        f"- {violation['id']} ({violation['impact']}): {violation['help']}\n"
        + "\n".join(f"    {node['target']}: {node['failureSummary']}" for node in violation["nodes"])
        for violation in violations
    )
    assert not violations, f"axe found accessibility violations on {page.url}:\n{report}"
