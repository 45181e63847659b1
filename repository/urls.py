from django.urls import path

from repository import views

app_name = "repository"
urlpatterns = [
    path("", views.browse, name="browse"),
    path("new/", views.choose_type, name="choose_type"),
    path("new/<slug:type_slug>/", views.item_create, name="item_create"),
    path("similar/", views.similar, name="similar"),
    path("autocomplete/", views.autocomplete, name="autocomplete"),
    path("items/<slug:slug>/", views.item_detail, name="item"),
    path("i/<int:pk>/", views.item_by_id, name="item_by_id"),
    path("items/<slug:slug>/edit/", views.item_edit, name="item_edit"),
    path("items/<slug:slug>/history/", views.item_history, name="item_history"),
    path("items/<slug:slug>/follow/", views.item_follow, name="item_follow"),
    path("items/<slug:slug>/documents/", views.document_add, name="document_add"),
    path("items/<slug:slug>/documents/<int:document_id>/", views.document_detail, name="document"),
    path(
        "items/<slug:slug>/documents/<int:document_id>/v<int:number>/download/",
        views.document_download,
        name="document_download",
    ),
    path("import/", views.import_start, name="import_start"),
    path("import/<int:job_id>/", views.import_detail, name="import_detail"),
    path("import/<int:job_id>/progress/", views.import_progress, name="import_progress"),
    path("import/<int:job_id>/confirm/", views.import_confirm, name="import_confirm"),
]
