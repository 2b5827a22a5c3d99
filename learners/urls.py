from django.urls import path

from learners import views

app_name = "learners"
urlpatterns = [
    path("", views.learner_list, name="list"),
    path("import/", views.import_learners, name="import"),
    path("export/", views.export_learners, name="export"),
    path("invitations/", views.invite, name="invite"),
    path("allocated/", views.allocated_learners, name="allocated"),
    path("enrolments/<int:pk>/assessor/", views.allocate, name="allocate"),
]
