from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe

_axe = Axe()

# Colours part-way through a transition are not what a person reads: show every element
# in its final state before measuring contrast.
_AT_REST = "*, *::before, *::after { transition: none !important; animation: none !important; }"


# Wagtail's own admin pages that come without a <main id="main"> (its user forms) leave
# its skip link with no target and the form outside any landmark: Wagtail's markup, which
# we cannot change, so on the admin only these two rules are not applied.
_WAGTAIL_ADMIN_EXCEPTIONS = {"rules": {"skip-link": {"enabled": False}, "region": {"enabled": False}}}


def accessibility_report(page) -> str:
    """Run axe-core on the page as it stands; return its violations, each rule with the
    elements that break it, under the page's address ("" when there are none)."""
    url = page.url
    page.add_style_tag(content=_AT_REST)
    options = {"resultTypes": ["violations"]}
    if urlsplit(url).path.startswith("/admin/"):
        options |= _WAGTAIL_ADMIN_EXCEPTIONS
    violations = _axe.run(page, options=options).response["violations"]
    if not violations:
        return ""
    return f"axe found accessibility violations on {url}:\n" + "\n".join(
        f"- {violation['id']} ({violation['impact']}): {violation['help']}\n"
        + "\n".join(f"    {node['target']}: {node['failureSummary']}" for node in violation["nodes"])
        for violation in violations
    )


def assert_no_accessibility_violations(page) -> None:
    report = accessibility_report(page)
    assert not report, report
