from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe

_axe = Axe()

# Colours part-way through a transition are not what a person reads: show every element
# in its final state before measuring contrast.
_AT_REST = "*, *::before, *::after { transition: none !important; animation: none !important; }"


# Wagtail's own markup, which we cannot change, breaks three rules on some admin pages, so
# on the admin (only) these are not applied: its user forms come without a <main id="main">,
# leaving its skip link with no target and the form outside any landmark (skip-link,
# region), and repeat the "Roles" tab as a link with role="tab" outside the tab list
# (aria-required-parent).
_WAGTAIL_ADMIN_EXCEPTIONS = {
    "rules": {
        "skip-link": {"enabled": False},
        "region": {"enabled": False},
        "aria-required-parent": {"enabled": False},
    }
}


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
