from axe_playwright_python.sync_playwright import Axe

_axe = Axe()


def assert_no_accessibility_violations(page) -> None:
    """Run axe-core on the page as it stands and fail on any violation, listing each
    rule with the elements that break it."""
    violations = _axe.run(page).response["violations"]
    report = "\n".join(
        f"- {violation['id']} ({violation['impact']}): {violation['help']}\n"
        + "\n".join(f"    {node['target']}" for node in violation["nodes"])
        for violation in violations
    )
    assert not violations, f"axe found accessibility violations on {page.url}:\n{report}"
