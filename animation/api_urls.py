# The animators' API (paths fixed by the animation issue), included under /api/v1/.
from django.urls import path

from animation.feeding import api as feeding
from animation.health import api as health
from animation.seeding import api as seeding
from animation.weeding import api as weeding

urlpatterns: list = [
    # Seeding
    path("community-templates/", seeding.community_templates, name="api-community-templates"),
    path("communities/<slug:slug>/scheduled-posts/", seeding.scheduled_posts, name="api-scheduled-posts"),
    path("scheduled-posts/<int:pk>/", seeding.scheduled_post_detail, name="api-scheduled-post"),
    path("communities/<slug:slug>/champions/", seeding.champions, name="api-champions"),
    path("communities/<slug:slug>/champions/<int:user_id>/", seeding.champion_detail, name="api-champion"),
    path("communities/<slug:slug>/bulk-invitations/", seeding.bulk_invitations, name="api-bulk-invitations"),
    path("bulk-invitations/<int:pk>/", seeding.bulk_invitation_detail, name="api-bulk-invitation"),
    # Feeding
    path("communities/<slug:slug>/prompts/", feeding.prompts, name="api-prompts"),
    path("communities/<slug:slug>/prompts/schedule/", feeding.prompt_schedule, name="api-prompt-schedule"),
    path("communities/<slug:slug>/pulses/", feeding.pulses, name="api-pulses"),
    path("pulses/<int:pk>/answers/", feeding.pulse_answers, name="api-pulse-answers"),
    path("pulses/<int:pk>/results/", feeding.pulse_results, name="api-pulse-results"),
    path("communities/<slug:slug>/feeding-settings/", feeding.feeding_settings, name="api-feeding-settings"),
    path("digest/", feeding.digest, name="api-digest"),
    # Weeding
    path("posts/<int:pk>/flags/", weeding.post_flags, name="api-post-flags"),
    path("comments/<int:pk>/flags/", weeding.comment_flags, name="api-comment-flags"),
    path("communities/<slug:slug>/moderation/", weeding.community_queue, name="api-moderation-queue"),
    path("moderation/", weeding.global_queue, name="api-moderation-global"),
    path("moderation/<int:pk>/decision/", weeding.decision, name="api-moderation-decision"),
    path("communities/<slug:slug>/audit-log/", weeding.audit_log, name="api-audit-log"),
    path("communities/<slug:slug>/rules/", weeding.community_rules, name="api-rules"),
    path("communities/<slug:slug>/rules/dry-run/", weeding.rules_dry_run, name="api-rules-dry-run"),
    path("communities/<slug:slug>/archive-proposals/", weeding.archive_proposals, name="api-archive-proposals"),
    path("archive-proposals/<int:pk>/decision/", weeding.archive_proposal_decision, name="api-archive-decision"),
    # Health
    path("communities/<slug:slug>/health/", health.health, name="api-health"),
]
