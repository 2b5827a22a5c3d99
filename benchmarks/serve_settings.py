"""Waymark's own settings, with the URLs of benchmarks/serve.py: the product's, and a
trivial page to compare the product's pages with (benchmarks/serve_urls.py)."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.serve_urls"
