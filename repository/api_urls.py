from django.urls import path, re_path

from repository import api

urlpatterns = [
    path("repository/types/", api.ItemTypeList.as_view(), name="api-repository-types"),
    path("repository/items/", api.ItemList.as_view(), name="api-repository-items"),
    path("repository/items/<int:pk>/", api.ItemDetail.as_view(), name="api-repository-item"),
    re_path(
        r"^repository/items/(?P<type_slug>[-\w]+)/(?P<external_id>[^/]+)/?$",
        api.ItemByExternalId.as_view(),
        name="api-repository-item-upsert",
    ),
]
