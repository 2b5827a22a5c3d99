from django.urls import path

from centre import views

app_name = "centre"
urlpatterns = [
    path("", views.home, name="home"),
    path("choose/", views.choose_centre, name="choose"),
    path("staff/", views.staff, name="staff"),
    path("staff/<int:pk>/end/", views.end_role, name="end_role"),
    path("units/", views.offered_units, name="units"),
]
