from django.urls import path

from moderation import views

app_name = "moderation"
urlpatterns = [
    path("", views.moderator_home, name="home"),
    path("samples/<int:sample_id>/", views.moderator_sample, name="sample"),
    path("samples/<int:sample_id>/learners/<int:enrolment_id>/", views.moderator_candidate, name="candidate"),
    path("samples/<int:sample_id>/files/<int:file_id>/", views.moderator_file, name="file"),
    path("samples/<int:sample_id>/bundle/", views.request_bundle_page, name="request_bundle"),
    path("samples/<int:sample_id>/bundles/<int:render_id>/", views.bundle_page, name="bundle"),
    path(
        "samples/<int:sample_id>/bundles/<int:render_id>/status/", views.bundle_status, name="bundle_status"
    ),
    path(
        "samples/<int:sample_id>/bundles/<int:render_id>/<str:kind>/",
        views.bundle_download,
        name="bundle_download",
    ),
    path("manage/", views.manage_samples, name="manage"),
    path("manage/units/<int:unit_id>/new/", views.new_sample, name="new_sample"),
    path("manage/samples/<int:sample_id>/", views.manage_sample, name="manage_sample"),
    path("manage/access/<int:access_id>/revoke/", views.revoke_access, name="revoke_access"),
]
