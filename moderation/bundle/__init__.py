"""The moderation bundle: one PDF a moderator can check without asking the centre
anything, and a ZIP of the original files with their manifest beside it.

WeasyPrint lays out the cover, each candidate's submission cover sheet, recording sheet,
declarations, evidence and IQA record, and the manifest, with an outline entry per
candidate and per evidence item and a running header, in groups of candidates side by
side; "Page X of Y" and the page numbers and links of references are written in after.
Its steps:

- ``context``: what the template is given;
- ``anchors``: the names of the template's anchors and files, made and read back in one
  place (the template makes them through the ``bundle_anchors`` template tags);
- ``render``: the layout, in groups side by side, and what is read back from where its
  anchors landed;
- ``page_references``: "Page X of Y", the page number after each reference, and its link;
- ``appendices``: learners' PDFs, drawn into the pages kept for them;
- ``parts``: a bundle too big to email, in labelled parts;
- ``archive``: the ZIP of original files and the manifest;
- ``fingerprint``: what a bundle is made of, so that one content is rendered once;
- ``jobs``: asking for a render, running it in the background, and recovering one whose
  worker died.

What other modules use is here; the rest stays inside the package.
"""

from moderation.bundle.jobs import (
    bundle_storage,
    discard_bundles_of,
    recover_stalled_renders,
    request_bundle,
    requeue_stalled_renders,
    run_bundle_render,
    watch_render,
)
from moderation.bundle.parts import split_into_parts
from moderation.bundle.render import render_bundle, write_bundle_html

__all__ = [
    "bundle_storage",
    "discard_bundles_of",
    "recover_stalled_renders",
    "render_bundle",
    "request_bundle",
    "requeue_stalled_renders",
    "run_bundle_render",
    "split_into_parts",
    "watch_render",
    "write_bundle_html",
]
