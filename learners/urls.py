from django.urls import path

from . import privacy_views, views

app_name = "learners"
urlpatterns = [
    path("", views.learner_list, name="list"),
    path("import/", views.import_learners, name="import"),
    path("export/", views.export_learners, name="export"),
    path("invitations/", views.invite, name="invite"),
    path("allocated/", views.allocated_learners, name="allocated"),
    path("enrolments/<int:pk>/assessor/", views.allocate, name="allocate"),
    path("retention/", privacy_views.retention, name="retention"),
    path("<int:learner_id>/records/", privacy_views.learner_records, name="records"),
    path("<int:learner_id>/subject-access/", privacy_views.subject_access, name="subject_access"),
    path("<int:learner_id>/holds/", privacy_views.place_hold, name="place_hold"),
    path("holds/<int:hold_id>/release/", privacy_views.release_hold, name="release_hold"),
]
