from django.urls import path

from privacy import views

# The privacy pages sit beside the pages they concern (a learner's record under
# /learners/, the learner's own copy under /portfolio/), so they keep those addresses.
app_name = "privacy"
urlpatterns = [
    path("learners/retention/", views.retention, name="retention"),
    path("learners/<int:learner_id>/records/", views.learner_records, name="records"),
    path("learners/<int:learner_id>/subject-access/", views.subject_access, name="subject_access"),
    path("learners/<int:learner_id>/holds/", views.place_hold, name="place_hold"),
    path("learners/holds/<int:hold_id>/release/", views.release_hold, name="release_hold"),
    path("portfolio/subject-access/", views.own_subject_access, name="own_subject_access"),
]
