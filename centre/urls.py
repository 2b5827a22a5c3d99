from django.urls import path

from centre import views

# The centre's audit trail keeps its address, /audit/, beside the centre's own pages under
# /centre/, so these patterns are mounted at the root and spelt in full.
app_name = "centre"
urlpatterns = [
    path("centre/", views.home, name="home"),
    path("centre/choose/", views.choose_centre, name="choose"),
    path("centre/staff/", views.staff, name="staff"),
    path("centre/staff/<int:pk>/end/", views.end_role, name="end_role"),
    path("centre/units/", views.offered_units, name="units"),
    path("audit/", views.audit_trail_page, name="audit_trail"),
]
