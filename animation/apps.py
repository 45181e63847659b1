from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnimationConfig(AppConfig):
    """The animators' tools (seeding, feeding, weeding, health), above communities.

    Communities never imports this app: where a post must pass a keyword rule, a flag must
    hide a post or the community page must show an Animate tab, communities offers a hook or
    a registry and this app registers in ready().
    """

    name = "animation"
    verbose_name = _("Animation")

    def ready(self):
        from animation import events  # noqa: F401 - registers the event types
        from animation.permissions import can_animate
        from communities.tabs import CommunityTab, register_tab

        register_tab(CommunityTab("animate", _("Animate"), "animation:index", can_animate, order=10))
        from animation.seeding.hooks import register_seeding_hooks

        register_seeding_hooks()
        from animation.feeding.hooks import register_feeding_hooks

        register_feeding_hooks()
        from animation.weeding.hooks import register_weeding_hooks

        register_weeding_hooks()
