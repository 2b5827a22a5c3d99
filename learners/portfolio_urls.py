from django.urls import path

from . import network_views as network
from . import portfolio_views as views
from . import privacy_views

app_name = "portfolio"
urlpatterns = [
    path("", views.home, name="home"),
    path("subject-access/", privacy_views.own_subject_access, name="subject_access"),
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
    path("sign-offs/<int:sign_off_id>/countersign/", views.countersign, name="countersign"),
    path("network/", network.home, name="network"),
    path("network/contacts/new/", network.add_contact, name="add_contact"),
    path("network/contacts/export/", network.download_contacts, name="export_contacts"),
    path("network/contacts/<int:contact_id>/", network.contact, name="contact"),
    path("network/contacts/<int:contact_id>/edit/", network.edit_contact, name="edit_contact"),
    path("network/contacts/<int:contact_id>/delete/", network.remove_contact, name="delete_contact"),
    path("network/contacts/<int:contact_id>/interactions/", network.add_interaction, name="add_interaction"),
    path("network/reviews/", network.reviews, name="reviews"),
    path("network/reviews/new/", network.new_review, name="new_review"),
    path("network/reviews/compare/", network.compare, name="compare_reviews"),
    path("network/reviews/<int:review_id>/", network.review, name="review"),
    path("network/guidelines/", network.guidelines, name="guidelines"),
    path("network/evidence/", network.use_as_evidence, name="network_evidence"),
]
