from django.urls import path

from integrations.scim import views

urlpatterns = [
    path("Users", views.UsersView.as_view(), name="scim-users"),
    path("Users/<str:user_id>", views.UserDetailView.as_view(), name="scim-user"),
    path("Groups", views.GroupsView.as_view(), name="scim-groups"),
    path("Groups/<str:group_id>", views.GroupDetailView.as_view(), name="scim-group"),
    path("ServiceProviderConfig", views.ServiceProviderConfigView.as_view(), name="scim-config"),
    path("Schemas", views.SchemasView.as_view(), name="scim-schemas"),
    path("Schemas/<str:schema_id>", views.SchemasView.as_view(), name="scim-schema"),
    path("ResourceTypes", views.ResourceTypesView.as_view(), name="scim-resource-types"),
    path("ResourceTypes/<str:type_id>", views.ResourceTypesView.as_view(), name="scim-resource-type"),
]
