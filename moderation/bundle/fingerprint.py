"""What a bundle is made of, as one hash: asking twice for the same content gives one render."""

import hashlib
import json

from moderation.models import ModerationSample
from moderation.selectors import Candidate


def bundle_fingerprint(*, sample: ModerationSample, candidates: list[Candidate]) -> str:
    """What the bundle is made of: the same fingerprint means the same bundle."""
    facts = {
        "sample": sample.pk,
        "candidates": [
            {
                "enrolment": c.sampled.enrolment_id,
                "sign_off": c.sampled.sign_off_id,
                "countersigned": str(c.sampled.sign_off.countersigned_at),
                "files": [f.sha256 for f in c.files],
                # A version's snapshot changes when a contact's details are taken out of it.
                "snapshots": [
                    hashlib.sha256(json.dumps(v.snapshot, sort_keys=True).encode()).hexdigest()
                    for v in c.versions
                ],
                "iqa": [
                    (s.pk, s.verdict, [(a.pk, str(a.closed_at)) for a in s.actions.all()])
                    for s in c.iqa_samples
                ],
                # A reopening, and any decision since, changes the assessment history printed.
                "history": [(e.kind, str(e.at)) for e in c.history],
            }
            for c in candidates
        ],
    }
    return hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()
