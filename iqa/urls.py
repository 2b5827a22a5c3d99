from django.urls import path

from iqa import views

app_name = "iqa"
urlpatterns = [
    path("", views.iqa_home, name="home"),
    path("units/<int:unit_id>/plan/", views.plan_page, name="plan"),
    path("units/<int:unit_id>/samples/", views.start_sampling, name="start_sampling"),
    path("samples/<int:iqa_sample_id>/", views.sample_page, name="sample"),
    path("evidence/<int:item_id>/versions/<int:number>/", views.evidence_version, name="evidence_version"),
    path("actions/<int:action_id>/", views.answer_action, name="answer_action"),
    path("actions/<int:action_id>/close/", views.close_action_page, name="close_action"),
]
