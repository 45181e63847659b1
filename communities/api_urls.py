from django.urls import include, path

from communities import api

urlpatterns = [
    path("", include("communities.notifications.api_urls")),
    path("communities/", api.communities, name="api-communities"),
    path("communities/<slug:slug>/", api.community_detail, name="api-community"),
    path("communities/<slug:slug>/join/", api.community_join, name="api-community-join"),
    path("communities/<slug:slug>/request/", api.community_join, name="api-community-request"),
    path("communities/<slug:slug>/leave/", api.community_leave, name="api-community-leave"),
    path("communities/<slug:slug>/invite/", api.community_invite, name="api-community-invite"),
    path(
        "communities/<slug:slug>/invitation/<str:action>/",
        api.community_invitation,
        name="api-community-invitation",
    ),
    path("communities/<slug:slug>/members/", api.community_members, name="api-community-members"),
    path("communities/<slug:slug>/posts/", api.community_posts, name="api-community-posts"),
    path("memberships/<int:pk>/<str:action>/", api.membership_action, name="api-membership-action"),
    path("posts/<int:pk>/", api.post_detail, name="api-post"),
    path("posts/<int:pk>/reactions/", api.post_react, name="api-post-react"),
    path("posts/<int:pk>/vote/", api.post_vote, name="api-post-vote"),
    path("posts/<int:pk>/rsvp/", api.post_rsvp, name="api-post-rsvp"),
    path("posts/<int:pk>/acknowledge/", api.post_acknowledge, name="api-post-acknowledge"),
    path("posts/<int:pk>/bookmark/", api.post_bookmark, name="api-post-bookmark"),
    path("posts/<int:pk>/pin/", api.post_pin, name="api-post-pin"),
    path("posts/<int:pk>/highlight/", api.post_highlight, name="api-post-highlight"),
    path("posts/<int:pk>/accept/", api.post_accept, name="api-post-accept"),
    path("posts/<int:pk>/share/", api.post_share, name="api-post-share"),
    path("posts/<int:pk>/comments/", api.post_comments, name="api-post-comments"),
    path("comments/<int:pk>/", api.comment_detail, name="api-comment"),
    path("comments/<int:pk>/reactions/", api.comment_react, name="api-comment-react"),
    path("feeds/<str:name>/", api.feed, name="api-feed"),
    path("search/", api.search_view, name="api-search"),
]
