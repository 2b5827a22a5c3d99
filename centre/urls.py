from django.urls import path

from . import views

app_name = "centre"
urlpatterns = [
    path("", views.home, name="home"),
    path("choose/", views.choose_centre, name="choose"),
]
