from django.urls import path
from rest_framework.routers import SimpleRouter

from directory import api

router = SimpleRouter()
router.register("people", api.PeopleViewSet, basename="api-people")
router.register("org-units", api.OrgUnitViewSet, basename="api-org-units")
router.register("contacts", api.ContactViewSet, basename="api-contacts")

urlpatterns = [
    path("experts/", api.ExpertsView.as_view(), name="api-experts"),
    *router.urls,
]
