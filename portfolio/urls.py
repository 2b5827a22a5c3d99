from django.urls import path

from portfolio import views

app_name = "portfolio"
urlpatterns = [
    path("evidence/", views.evidence_list, name="evidence_list"),
    path("evidence/new/", views.choose_kind, name="choose_kind"),
    path("evidence/new/<slug:kind>/", views.create_evidence, name="create"),
    path("evidence/<int:item_id>/", views.evidence_detail, name="evidence"),
    path("evidence/<int:item_id>/edit/", views.edit_evidence, name="edit"),
    path("evidence/<int:item_id>/files/", views.upload_files, name="upload"),
    path("evidence/<int:item_id>/files/<int:file_id>/remove/", views.remove_file, name="remove_file"),
    path("evidence/<int:item_id>/criteria/", views.map_criteria, name="map"),
    path("evidence/<int:item_id>/submit/", views.submit_evidence, name="submit"),
    path("evidence/<int:item_id>/delete/", views.delete_evidence, name="delete"),
    path("evidence/<int:item_id>/versions/<int:number>/", views.evidence_version, name="version"),
    path("files/<int:file_id>/", views.download_file, name="file"),
]
