from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit trail"

    def ready(self):
        from common.reader_pages import written_as_people_read

        # A moderator's "viewed" records are written as they read their pages; every other
        # record is written with the change it records, which changes the pages itself.
        written_as_people_read("audit.AuditRecord")
