# The engagement API (paths fixed by the engagement issue), included under /api/v1/.
from django.urls import path

from engagement import api

urlpatterns: list = [
    path("engagement/objectives/", api.objectives, name="api-engagement-objectives"),
    path("engagement/communities/<slug:slug>/influence/", api.community_influence, name="api-engagement-influence"),
    path("engagement/nps/", api.nps, name="api-engagement-nps"),
    path("engagement/exports/", api.export_create, name="api-engagement-exports"),
    path("engagement/exports/<int:pk>/", api.export_detail, name="api-engagement-export"),
]
