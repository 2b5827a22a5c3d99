from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "operations"
    verbose_name = "Operations"

    def ready(self):
        from common.reader_pages import written_as_people_read

        # Written by idle workers, every few seconds: shown on no page kept for its reader.
        written_as_people_read("operations.WorkerHeartbeat", "django_tasks_db.DBTaskResult")
