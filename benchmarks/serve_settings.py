"""Waymark's own settings, with the URLs of benchmarks/serve.py: the product's, and a
trivial page to compare the product's pages with (benchmarks/serve_urls.py)."""

import os

from config.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.serve_urls"
# The second server benchmarks/serve.py starts renders every page afresh, as the first
# view after a change is rendered.
if os.environ.get("BENCHMARK_KEPT_PAGES") == "off":
    WAYMARK_READER_PAGES = False
