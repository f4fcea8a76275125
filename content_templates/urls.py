from django.urls import path

from . import views

app_name = "content_templates"

urlpatterns = [
    path("", views.template_list, name="list"),
    path("new/", views.create, name="create"),
    path("preview", views.preview, name="preview"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/delete/", views.delete, name="delete"),
    path("<int:pk>/use/", views.use, name="use"),
]
