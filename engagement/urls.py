from django.urls import path

from engagement import views

app_name = "engagement"

urlpatterns = [
    path("", views.index, name="index"),
    path("opt-out/", views.opt_out, name="opt_out"),
    path("exports/", views.export_new, name="export_new"),
    path("exports/<int:export_id>/", views.export_detail, name="export"),
    path("exports/<int:export_id>/status/", views.export_status, name="export_status"),
    path("exports/<int:export_id>/download/", views.export_download, name="export_download"),
    path("works-council/", views.works_council, name="works_council"),
    path("objectives/", views.company_objectives, name="objectives"),
    path("objectives/<int:objective_id>/data.csv", views.objective_data, name="objective_data"),
    path("objectives/<int:objective_id>/delete/", views.objective_delete, name="objective_delete"),
    path("communities/<slug:slug>/", views.community_dashboard, name="community"),
    path("dashboard/", views.company_dashboard, name="dashboard"),
    path("org-units/<slug:slug>/", views.org_unit_dashboard, name="org_unit"),
    path("sites/<slug:slug>/", views.site_dashboard, name="site"),
    path("hashtags/<slug:slug>/", views.hashtag_influence, name="hashtag"),
    path("items/<slug:slug>/", views.item_influence, name="item"),
]
