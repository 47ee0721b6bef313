from django.urls import path

from recipes import views

urlpatterns = [
    path("", views.index),
    path("recipes/<slug:slug>", views.recipe),
    path("healthz", views.healthz),
]
