"""Debian's Chromium, as the browser journeys and the bundle benchmark launch it."""

import os

CHROMIUM = os.environ.get("WAYMARK_CHROMIUM", "/usr/bin/chromium")
# This machine has no network but the loopback: keep Chromium from phoning home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
