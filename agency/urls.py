from django.urls import path

from . import views

app_name = "agency"

urlpatterns = [
    path("invitations/", views.invitation_list, name="invitations"),
    path("invitations/new/", views.invite, name="invite"),
    path("invitations/<int:pk>/resend/", views.resend, name="resend"),
    path("invitations/<int:pk>/revoke/", views.revoke, name="revoke"),
    path("invitations/accept/<str:token>/", views.accept, name="accept"),
    path("tasks/", views.task_list, name="tasks"),
    path("tasks/new/", views.task_new, name="task_new"),
    path("tasks/<int:pk>/", views.task_edit, name="task_edit"),
    path("review-links/", views.review_link_list, name="review_links"),
    path("review-links/new/", views.review_link_new, name="review_link_new"),
    path("review-links/<int:pk>/revoke/", views.review_link_revoke, name="review_link_revoke"),
    path("review/<str:token>/", views.review, name="review"),
    path("posts/<int:pk>/comments/", views.comment, name="comment"),
    path("x-app/", views.x_app, name="x_app"),
    path("clients/<int:client_id>/x-app/", views.x_app, name="client_x_app"),
]
