"""What each audit action is called where people read the trail: the page, the subject
access export. The verb stays the machine's name (``iqa.verdict_recorded``); a reader sees
"IQA verdict recorded". A new verb needs a line here (a test reads the code for verbs)."""

AUDIT_ACTIONS: dict[str, str] = {
    "account.authenticator_set_up": "Authenticator app set up",
    "account.invited": "Invitation to Waymark sent",
    "account.recovery_codes_made": "Recovery codes made",
    "account.second_factor_reset": "Two-factor sign-in reset",
    "centre.created": "Centre created",
    "centre.qualifications_offered": "Qualifications offered changed",
    "centre.renamed": "Centre renamed",
    "centre.units_offered": "Units offered changed",
    "decision.recorded": "Assessment decision recorded",
    "enrolment.assessor_allocated": "Assessor allocated",
    "enrolments.assessor_allocated": "Assessor allocated to several enrolments",
    "evidence.created": "Evidence created",
    "evidence.deleted": "Evidence deleted",
    "evidence.file_added": "File added to evidence",
    "evidence.file_removed": "File removed from evidence",
    "evidence.mapped": "Evidence mapped to criteria",
    "evidence.returned": "Evidence returned to the learner",
    "evidence.submitted": "Evidence submitted",
    "iqa.action_answered": "IQA action answered",
    "iqa.action_closed": "IQA action closed",
    "iqa.plan_saved": "IQA sampling plan saved",
    "iqa.sample_started": "IQA sample started",
    "iqa.verdict_recorded": "IQA verdict recorded",
    "learners.exported": "Register exported",
    "learners.registered": "Learners registered",
    "membership.ended": "Role ended",
    "membership.granted": "Role given",
    "moderation.access_granted": "Moderator given access",
    "moderation.access_revoked": "Moderator’s access revoked",
    "moderation.bundle_downloaded": "Moderation bundle downloaded",
    "moderation.bundle_exported": "Moderation bundle exported",
    "moderation.bundle_html_exported": "Moderation bundle exported as HTML",
    "moderation.bundle_rendered": "Moderation bundle made",
    "moderation.bundle_requested": "Moderation bundle requested",
    "moderation.bundle_viewed": "Moderation bundle viewed",
    "moderation.file_downloaded": "Evidence file downloaded by the moderator",
    "moderation.file_shown": "Evidence photo shown to the moderator",
    "moderation.learner_viewed": "Learner viewed by the moderator",
    "moderation.sample_created": "Moderation sample made",
    "moderation.sample_viewed": "Moderation sample viewed",
    "network.consent_recorded": "Contact’s consent recorded",
    "network.consent_withdrawn": "Contact’s consent withdrawn",
    "network.contact_deleted": "Contact deleted",
    "network.contacts_exported": "Contacts exported",
    "privacy.hold_placed": "Hold placed on erasure",
    "privacy.hold_released": "Hold on erasure released",
    "privacy.learner_erased": "Learner erased",
    "privacy.retention_changed": "Retention period changed",
    "privacy.subject_access_exported": "Subject access request answered",
    "qualification.created": "Qualification published",
    "qualification.updated": "Qualification updated",
    "unit.countersigned": "Unit countersigned by the learner",
    "unit.created": "Unit published",
    "unit.reopened": "Signed-off unit reopened",
    "unit.signed_off": "Unit signed off",
    "unit.updated": "Unit updated",
}

# Words that are initials, for a verb with no label yet (recorded by an older version).
ABBREVIATIONS = {"iqa": "IQA", "pdf": "PDF", "csv": "CSV", "zip": "ZIP", "uln": "ULN", "totp": "TOTP"}


def describe_verb(verb: str) -> str:
    if verb in AUDIT_ACTIONS:
        return AUDIT_ACTIONS[verb]
    words = verb.replace(".", " ").replace("_", " ").split()
    words = [ABBREVIATIONS.get(word, word) for word in words]
    text = " ".join(words)
    return text[:1].upper() + text[1:]
