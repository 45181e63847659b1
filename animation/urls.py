from django.urls import path

from animation import views
from animation.feeding import views as feeding
from animation.health import views as health
from animation.seeding import views as seeding
from animation.weeding import views as weeding

app_name = "animation"

A = "c/<slug:slug>/animate/"
urlpatterns = [
    path(A, views.animate_index, name="index"),
    # Seeding
    path(f"{A}schedule/", seeding.schedule, name="schedule"),
    path(f"{A}schedule/<int:pk>/", seeding.schedule_edit, name="schedule_edit"),
    path(f"{A}schedule/<int:pk>/cancel/", seeding.schedule_cancel, name="schedule_cancel"),
    path(f"{A}templates/", seeding.templates, name="templates"),
    path(f"{A}invite/", seeding.invite, name="invite"),
    path(f"{A}invite/<int:pk>/", seeding.invite_preview, name="invite_preview"),
    path(f"{A}champions/", seeding.champions, name="champions"),
    path(f"{A}starter/", seeding.starter, name="starter"),
    path(f"{A}starter/<int:pk>/", seeding.starter_preview, name="starter_preview"),
    path("c/<slug:slug>/launch/<int:pk>/", seeding.launch_preview, name="launch_preview"),
    # Feeding
    path(f"{A}prompts/", feeding.prompts, name="prompts"),
    path(f"{A}welcome/", feeding.feeding_settings, name="feeding_settings"),
    path(f"{A}quiet/", feeding.quiet, name="quiet"),
    path(f"{A}pulses/", feeding.pulses, name="pulses"),
    path(f"{A}pulses/<int:pk>/", feeding.pulse_results, name="pulse_results"),
    path("c/<slug:slug>/pulses/<int:pk>/", feeding.pulse_answer, name="pulse_answer"),
    path("c/<slug:slug>/messages/<int:pk>/", feeding.message, name="message"),
    # Weeding
    path("posts/<int:pk>/flag/", weeding.flag_post, name="flag_post"),
    path("comments/<int:pk>/flag/", weeding.flag_comment, name="flag_comment"),
    path(f"{A}moderation/", weeding.moderation, name="moderation"),
    path("moderation/", weeding.moderation_global, name="moderation_global"),
    path("moderation/duplicates/", weeding.duplicates, name="duplicates"),
    path(f"{A}audit/", weeding.audit, name="audit"),
    path(f"{A}rules/", weeding.rules_page, name="rules"),
    path(f"{A}stale/", weeding.stale, name="stale"),
    path("c/<slug:slug>/archive-proposals/<int:pk>/", weeding.archive_proposal, name="archive_proposal"),
    # Health
    path(f"{A}health/", health.health, name="health"),
]
