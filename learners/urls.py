from django.urls import path

from . import views

app_name = "learners"
urlpatterns = [
    path("", views.learner_list, name="list"),
    path("import/", views.import_learners, name="import"),
    path("export/", views.export_learners, name="export"),
    path("allocated/", views.allocated_learners, name="allocated"),
    path("enrolments/<int:pk>/assessor/", views.allocate, name="allocate"),
]
