from django.urls import path

from integrations.feeds import animate_views, syndication
from integrations.feeds import views as feeds
from integrations.webhooks import views as webhooks

app_name = "integrations"

urlpatterns = [
    # --- Webhooks ---
    path("integrations/webhooks/", webhooks.webhook_list, name="webhooks"),
    path("integrations/webhooks/<int:pk>/", webhooks.webhook_detail, name="webhook_detail"),
    path("integrations/webhooks/<int:pk>/<str:action>/", webhooks.webhook_action, name="webhook_action"),
    path("c/<slug:slug>/webhooks/", webhooks.community_webhooks, name="community_webhooks"),
    # --- end webhooks ---
    # --- Feeds (RSS/Atom) ---
    path("integrations/feeds/", feeds.my_feeds, name="my_feeds"),
    path("integrations/feeds/token/<str:action>/", feeds.feed_token_action, name="feed_token_action"),
    path("feeds/public/c/<slug:slug>.rss", syndication.PublicRss(), {"kind": "public"}, name="public_feed_rss"),
    path("feeds/public/c/<slug:slug>.atom", syndication.PublicAtom(), {"kind": "public"}, name="public_feed_atom"),
    path("feeds/<str:token>/home.<str:fmt>", syndication.dispatch, {"kind": "home"}, name="feed_home"),
    path(
        "feeds/<str:token>/c/<slug:slug>.<str:fmt>", syndication.dispatch, {"kind": "community"}, name="feed_community"
    ),
    path("feeds/<str:token>/tags/<slug:slug>.<str:fmt>", syndication.dispatch, {"kind": "tag"}, name="feed_tag"),
    path("c/<slug:slug>/animate/feeds/", animate_views.community_feeds, name="community_feeds"),
    path(
        "c/<slug:slug>/animate/feeds/<int:pk>/<str:action>/",
        animate_views.subscription_action,
        name="feed_subscription_action",
    ),
    path("c/<slug:slug>/animate/entries/<int:pk>/<str:action>/", animate_views.entry_action, name="feed_entry_action"),
    # --- end feeds ---
]
