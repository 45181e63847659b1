"""The communities' event types and their payload fields (rse.lib.events.define_event).

Groups: `community.<id>` (a community's pages), `post.<id>` (a post page), `item.<id>` (an
item page), `user.<id>` (one person's tabs), `home` (every home page).
"""

from rse.lib.events import define_event

POST = "post_id community_id"
MEMBER = "community_id user_id"

POST_CREATED = define_event(
    "communities.post_created",
    f"{POST} author_id kind",
    optional="item_ids members_only home",
    doc="members_only: from a private or secret community (item groups check the reader); "
    "home: sent to a reader's own group because it belongs in their home feed",
)
POST_EDITED = define_event("communities.post_edited", POST)
POST_DELETED = define_event("communities.post_deleted", POST)
POST_PINNED = define_event("communities.post_pinned", f"{POST} on")
POST_HIGHLIGHTED = define_event("communities.post_highlighted", f"{POST} on")
ACKNOWLEDGED = define_event("communities.acknowledged", "post_id user_id")
VOTED = define_event("communities.voted", f"{POST} counts")
RSVP = define_event("communities.rsvp", "post_id")
COMMENT_CREATED = define_event("communities.comment_created", f"{POST} comment_id parent_id author_id counts")
COMMENT_EDITED = define_event("communities.comment_edited", "post_id comment_id")
COMMENT_DELETED = define_event("communities.comment_deleted", "post_id comment_id")
REACTED = define_event("communities.reacted", f"{POST} comment_id counts")
ANSWER_ACCEPTED = define_event("communities.answer_accepted", f"{POST} comment_id")

COMMUNITY_CREATED = define_event("communities.community_created", "community_id")
COMMUNITY_UPDATED = define_event("communities.community_updated", "community_id")
MEMBER_JOINED = define_event("communities.member_joined", MEMBER)
JOIN_REQUESTED = define_event("communities.join_requested", MEMBER)
INVITED = define_event("communities.invited", MEMBER)
# A membership that ends, however it ends: the websocket consumer re-checks that person's access.
LEFT = define_event("communities.left", MEMBER)
REQUEST_REJECTED = define_event("communities.request_rejected", MEMBER)
INVITATION_DECLINED = define_event("communities.invitation_declined", MEMBER)
MEMBER_REMOVED = define_event("communities.member_removed", MEMBER)

NOTIFICATIONS_NEW = define_event("notifications.new", "unread")
NOTIFICATIONS_READ = define_event("notifications.read", "unread")
