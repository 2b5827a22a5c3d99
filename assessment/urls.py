from django.urls import include, path

from assessment import views

app_name = "assessment"
urlpatterns = [
    # The learner's home stays at their portfolio's address, though where their units
    # stand is assessment's to tell; the rest of assessment's pages are under its own.
    path("portfolio/", views.learner_home, name="learner_home"),
    path(
        "assessment/",
        include(
            [
                path("", views.caseload_page, name="caseload"),
                path("enrolments/<int:enrolment_id>/", views.enrolment_assessment, name="enrolment"),
                path("enrolments/<int:enrolment_id>/sign-off/", views.sign_off_page, name="sign_off_unit"),
                path("evidence/<int:item_id>/", views.judge_submission, name="judge"),
                path("sign-offs/<int:sign_off_id>/", views.sign_off_detail, name="sign_off"),
                path("sign-offs/<int:sign_off_id>/reopen/", views.reopen_page, name="reopen"),
                path("units/<int:unit_id>/", views.unit_grid_page, name="unit_grid"),
                path("sign-offs/<int:sign_off_id>/countersign/", views.countersign, name="countersign"),
            ]
        ),
    ),
]
