from django.urls import path

from animation import views

app_name = "animation"

urlpatterns = [
    path("c/<slug:slug>/animate/", views.animate_index, name="index"),
]
