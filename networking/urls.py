from django.urls import path

from networking import views

app_name = "networking"

urlpatterns = [
    path("", views.home, name="home"),
    path("contacts/new/", views.add_contact, name="add_contact"),
    path("contacts/export/", views.download_contacts, name="export_contacts"),
    path("contacts/<int:contact_id>/", views.contact, name="contact"),
    path("contacts/<int:contact_id>/edit/", views.edit_contact, name="edit_contact"),
    path("contacts/<int:contact_id>/delete/", views.remove_contact, name="delete_contact"),
    path("contacts/<int:contact_id>/interactions/", views.add_interaction, name="add_interaction"),
    path("reviews/", views.reviews, name="reviews"),
    path("reviews/new/", views.new_review, name="new_review"),
    path("reviews/compare/", views.compare, name="compare_reviews"),
    path("reviews/<int:review_id>/", views.review, name="review"),
    path("guidelines/", views.guidelines, name="guidelines"),
    path("evidence/", views.use_as_evidence, name="use_as_evidence"),
]
