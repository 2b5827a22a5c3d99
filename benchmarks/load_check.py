"""What benchmarks/load.py checks afterwards: every write the simulated people were told
succeeded, against what the database and the evidence storage hold."""

import hashlib
import json
import os
import time
from collections import Counter
from pathlib import Path

BUNDLE_SECONDS = 300  # the bundles asked for, rendered by the worker after the run


def read_writes(writes: Path) -> list[dict]:
    return [
        json.loads(line)
        for log in sorted(writes.glob("*.jsonl"))
        for line in log.read_text().splitlines()
        if line.strip()
    ]


def wait_for_bundles(before: dict) -> list[str]:
    """The bundles asked for are rendered by the task worker: wait (bounded) for each."""
    from common.scoping import scopes_disabled
    from moderation.models import BundleRender

    deadline = time.monotonic() + BUNDLE_SECONDS
    with scopes_disabled():
        renders = BundleRender.objects.filter(pk__gt=before["BundleRender"])
        while renders.exclude(status__in=[BundleRender.Status.DONE, BundleRender.Status.FAILED]).exists():
            if time.monotonic() > deadline:
                waiting = sorted(renders.values_list("pk", flat=True))
                return [f"bundles not rendered within {BUNDLE_SECONDS} s: {waiting}"]
            time.sleep(1)
        return [f"bundle {r.pk} failed: {r.error}" for r in renders.filter(status=BundleRender.Status.FAILED)]


def stored_hash(storage, name: str) -> str:
    with storage.open(name) as stored:
        return hashlib.file_digest(stored, "sha256").hexdigest()


def check(writes: list[dict], before: dict) -> list[str]:
    """Every problem found: a write lost, made twice, or made without the person being
    told; a stored file missing; an audit record missing, doubled or unexplained; the
    audit trail's hash chain broken."""
    from django.core.files.storage import storages
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from assessment.models import CriterionDecision
    from audit.models import AuditRecord
    from common.scoping import scopes_disabled
    from iqa.models import IqaSample
    from moderation.models import BundleRender
    from portfolio.models import EvidenceFile, EvidenceItem

    problems = []
    by_kind = {kind: [w for w in writes if w["kind"] == kind] for kind in {w["kind"] for w in writes}}

    def of(kind: str) -> list[dict]:
        return by_kind.get(kind, [])

    with scopes_disabled():
        audit = list(AuditRecord.objects.filter(sequence__gt=before["audit"]))
        audited = Counter((r.verb, r.object_id) for r in audit)

        def one_audit_record(verb: str, pk, what: str) -> None:
            if (count := audited[(verb, str(pk))]) != 1:
                problems.append(f"{what}: {count} “{verb}” audit records, not 1")

        # Evidence items: each one the learners were told of, once; the last title saved.
        items = {i.pk: i for i in EvidenceItem.objects.filter(pk__gt=before["EvidenceItem"])}
        created = Counter(w["item"] for w in of("evidence_created"))
        for pk, count in created.items():
            if count != 1:
                problems.append(f"evidence item {pk}: created {count} times by the learners' account")
            if pk not in items:
                problems.append(f"evidence item {pk}: lost (a learner was told it was saved)")
            one_audit_record("evidence.created", pk, f"evidence item {pk}")
        problems += [
            f"evidence item {pk}: made, though no learner was told so" for pk in items.keys() - created.keys()
        ]
        # Each item is its learner's alone, and their log is in the order they saved it.
        last_title = {w["item"]: w["title"] for w in of("evidence_created") + of("evidence_edited")}
        for pk, title in last_title.items():
            if pk in items and items[pk].title != title:
                problems.append(
                    f"evidence item {pk}: titled “{items[pk].title}”, not the last saved “{title}”"
                )

        # Files: a row each, its content in storage, once.
        files = list(EvidenceFile.objects.filter(pk__gt=before["EvidenceFile"]))
        stored = Counter((f.item_id, f.original_name) for f in files)
        uploaded = Counter((w["item"], w["name"]) for w in of("file_uploaded"))
        for key, count in uploaded.items():
            if stored[key] != count:
                problems.append(f"file {key[1]} of item {key[0]}: {stored[key]} rows, not {count}")
        problems += [
            f"file {key[1]} of item {key[0]}: stored, though no learner was told so"
            for key in stored.keys() - uploaded.keys()
        ]
        storage = storages["evidence"]
        sent = {(w["item"], w["name"]): w["sha256"] for w in of("file_uploaded")}
        for f in files:
            if not storage.exists(f.file.name) or stored_hash(storage, f.file.name) != sent.get(
                (f.item_id, f.original_name)
            ):
                problems.append(f"file {f.original_name} of item {f.item_id}: not in storage as uploaded")
            one_audit_record("evidence.file_added", f.pk, f"file {f.original_name}")

        # Decisions: one per criterion judged, on the version judged, each audited once.
        decisions = list(
            CriterionDecision.objects.filter(pk__gt=before["CriterionDecision"]).prefetch_related("evidence")
        )
        judged = Counter()
        for w in of("decisions_recorded"):
            item = EvidenceItem.objects.get(pk=w["item"])
            version = item.versions.order_by("-number").first()
            for criterion in w["criteria"]:
                judged[(version.pk, criterion)] += 1
        recorded = Counter((version.pk, d.criterion_id) for d in decisions for version in d.evidence.all())
        for key, count in judged.items():
            if recorded[key] != count:
                problems.append(
                    f"decision on criterion {key[1]} of evidence version {key[0]}: "
                    f"{recorded[key]} recorded, not {count}"
                )
        problems += [
            f"decision on criterion {key[1]} of evidence version {key[0]}: recorded, "
            "though no assessor was told so"
            for key in recorded.keys() - judged.keys()
        ]
        for d in decisions:
            one_audit_record("decision.recorded", d.pk, f"decision {d.pk}")

        # IQA samples and verdicts.
        samples = list(IqaSample.objects.filter(pk__gt=before["IqaSample"]))
        started = Counter(tuple(w["pick"].split(":")) for w in of("iqa_sample_started"))
        made = Counter((str(s.enrolment_id), s.stage) for s in samples)
        if started != made:
            problems.append(
                f"IQA samples: {sum(made.values())} made, {sum(started.values())} started by the IQAs "
                f"(these differ: {sorted((made - started) + (started - made))})"
            )
        verdicts = {w["sample"] for w in of("iqa_verdict_recorded")}
        for s in samples:
            one_audit_record("iqa.sample_started", s.pk, f"IQA sample {s.pk}")
            if (s.pk in verdicts) != bool(s.verdict):
                problems.append(
                    f"IQA sample {s.pk}: verdict “{s.verdict}”, "
                    f"{'' if s.pk in verdicts else 'not '}recorded by its IQA"
                )
            if s.verdict:
                one_audit_record("iqa.verdict_recorded", s.pk, f"IQA sample {s.pk}'s verdict")

        # Moderation: every page the moderators read is audited once; bundles asked for once.
        renders = {r.pk: r for r in BundleRender.objects.filter(pk__gt=before["BundleRender"])}
        asked = {w["render"] for w in of("bundle_requested")}
        if asked != renders.keys():
            problems.append(f"bundles: {sorted(renders)} made, {sorted(asked)} given to the moderators")
        for pk, render in renders.items():
            one_audit_record("moderation.bundle_requested", pk, f"bundle {pk}")
            if render.status == BundleRender.Status.DONE:
                one_audit_record("moderation.bundle_rendered", pk, f"bundle {pk}")

        # Nothing in the audit trail that the people's writes and reads do not explain.
        expected = Counter(
            {
                "evidence.created": len(created),
                "evidence.file_added": len(files),
                "decision.recorded": len(decisions),
                "iqa.sample_started": len(samples),
                "iqa.verdict_recorded": sum(bool(s.verdict) for s in samples),
                "moderation.sample_viewed": len(of("moderation_sample_viewed")),
                "moderation.learner_viewed": len(of("moderation_learner_viewed")),
                "moderation.bundle_viewed": len(of("moderation_bundle_viewed")),
                "moderation.bundle_requested": len(renders),
                "moderation.bundle_rendered": sum(
                    r.status == BundleRender.Status.DONE for r in renders.values()
                ),
            }
        )
        verbs = Counter(r.verb for r in audit)
        for verb in expected.keys() | verbs.keys():
            if verbs[verb] != expected[verb]:
                problems.append(f"audit trail: {verbs[verb]} “{verb}” records, {expected[verb]} expected")
    try:
        call_command("verify_audit", stdout=open(os.devnull, "w"))  # noqa: SIM115
    except CommandError as error:
        problems.append(str(error))
    return problems
