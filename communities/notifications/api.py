"""Notifications and realtime catch-up over the REST API (thin: parse, call, render).

Serialising a page needs no query per row: the list selector joins actor, community,
post and comment once.
"""

from django.shortcuts import get_object_or_404
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from communities.models import Mute, Notification, NotificationChannel, NotificationKind
from communities.notifications import selectors, services, texts
from communities.selectors import access_post_by_id, visible_communities


class NotificationSerializer(serializers.ModelSerializer):
    text = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    actor = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "text",
            "url",
            "actor",
            "community_id",
            "post_id",
            "comment_id",
            "created_at",
            "read_at",
        ]

    def get_text(self, obj) -> str:
        return texts.describe(obj)

    def get_url(self, obj) -> str:
        return texts.target_url(obj)

    def get_actor(self, obj) -> dict | None:
        return {"id": obj.actor.pk, "name": obj.actor.display_name} if obj.actor else None


class NotificationListView(ListAPIView):
    """My notifications, newest first (cursor-paginated); `?unread=true` for the unread ones."""

    serializer_class = NotificationSerializer

    @extend_schema(parameters=[OpenApiParameter("unread", bool, description="only the unread ones")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        unread = self.request.query_params.get("unread", "").lower() in ("1", "true", "yes")
        return selectors.notifications_for(self.request.user, unread_only=unread)

    def paginate_queryset(self, queryset):
        # What the reader may still be shown of each post and community: one query for the page.
        return selectors.with_access(self.request.user, super().paginate_queryset(queryset))


COUNT = inline_serializer("UnreadCount", {"unread": serializers.IntegerField()})


class UnreadCountView(APIView):
    @extend_schema(responses=COUNT)
    def get(self, request):
        return Response({"unread": services.unread_count(request.user.pk)})


class MarkReadView(APIView):
    @extend_schema(request=None, responses=COUNT)
    def post(self, request, pk):
        notification = selectors.access_notification_by_id(request.user, pk)
        services.do_mark_read(request.user, [notification.pk])
        return Response({"unread": services.unread_count(request.user.pk)})


class MarkAllReadView(APIView):
    @extend_schema(request=None, responses=COUNT)
    def post(self, request):
        services.do_mark_all_read(request.user)
        return Response({"unread": 0})


PREFERENCES = inline_serializer(
    "NotificationPreferences",
    {
        kind: serializers.ChoiceField(choices=NotificationChannel.choices, required=False)
        for kind in NotificationKind.values
    },
)


class PreferencesView(APIView):
    """{kind: channel} for every kind; PUT/PATCH with some kinds changes only those."""

    @extend_schema(responses=PREFERENCES)
    def get(self, request):
        return Response(services.preferences_for(request.user))

    @extend_schema(request=PREFERENCES, responses=PREFERENCES)
    def patch(self, request):
        if not isinstance(request.data, dict):
            raise ValidationError({"detail": _("Send an object {kind: channel}.")})
        return Response(services.do_set_preferences(request.user, dict(request.data)))

    put = patch


class MuteSerializer(serializers.ModelSerializer):
    community_id = serializers.IntegerField(required=False, allow_null=True)
    post_id = serializers.IntegerField(required=False, allow_null=True)

    class Meta:
        model = Mute
        fields = ["id", "community_id", "post_id", "created_at"]
        read_only_fields = ["id", "created_at"]


class MuteListView(ListAPIView):
    """Muted communities and conversations; POST {"community_id"} or {"post_id"} to mute one."""

    serializer_class = MuteSerializer

    def get_queryset(self):
        return selectors.list_mutes(self.request.user)

    def post(self, request):
        serializer = MuteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        community_id = serializer.validated_data.get("community_id")
        post_id = serializer.validated_data.get("post_id")
        if bool(community_id) == bool(post_id):
            raise ValidationError({"detail": _("Give either community_id or post_id.")})
        if post_id:
            mute = services.do_mute(request.user, post=access_post_by_id(request.user, post_id))
        else:
            community = get_object_or_404(visible_communities(request.user), pk=community_id)
            mute = services.do_mute(request.user, community=community)
        return Response(MuteSerializer(mute).data, status=status.HTTP_201_CREATED)


class MuteDetailView(APIView):
    @extend_schema(request=None, responses={204: None})
    def delete(self, request, pk):
        if not services.do_unmute(request.user, pk):
            return Response({"detail": _("Not found.")}, status=status.HTTP_404_NOT_FOUND)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _ids(request, name):
    values = request.query_params.getlist(name)
    ids = []
    for raw in values:
        for part in raw.replace(" ", ",").split(","):
            if not part:
                continue
            if not part.isdigit() or int(part) > MAX_ID:
                raise ValidationError({name: f"{part!r} is not an id."})
            ids.append(int(part))
    return ids


MAX_ID = 2**63 - 1


class CatchUpQuery(serializers.Serializer):
    since = serializers.CharField(required=False, allow_blank=True, max_length=64)

    def validate_since(self, value):
        if not value:
            return None
        try:
            parsed = parse_datetime(value)
        except ValueError:  # well formed but impossible: month 13, February 30th
            parsed = None
        if parsed is None or parsed.tzinfo is None:
            raise serializers.ValidationError("Give an ISO 8601 date-time with its time zone.")
        return parsed


class CatchUpView(APIView):
    """What a reconnecting live page missed: posts of `community` (and conversations of
    `item`), comments of `post`, newest counters of `post`, after `cursor`. Without a cursor
    (or with `since`, an ISO date-time) it starts from that moment and returns its cursor."""

    @extend_schema(
        parameters=[
            OpenApiParameter("cursor", str),
            OpenApiParameter("since", str, description="ISO 8601; used when there is no cursor"),
            OpenApiParameter("community", int, many=True),
            OpenApiParameter("post", int, many=True),
            OpenApiParameter("item", int, many=True),
            OpenApiParameter("home", int, description="present: also every new post of my home feed"),
        ],
        responses=inline_serializer(
            "CatchUp",
            {
                "cursor": serializers.CharField(),
                "has_more": serializers.BooleanField(),
                "posts": serializers.ListField(child=serializers.DictField()),
                "comments": serializers.ListField(child=serializers.DictField()),
                "post_states": serializers.ListField(child=serializers.DictField()),
            },
        ),
    )
    def get(self, request):
        cursor = request.query_params.get("cursor")
        if not cursor:
            query = CatchUpQuery(data=request.query_params)
            query.is_valid(raise_exception=True)
            cursor = selectors.initial_cursor(query.validated_data.get("since"))
        return Response(
            selectors.catch_up(
                request.user,
                cursor=cursor,
                community_ids=_ids(request, "community"),
                post_ids=_ids(request, "post"),
                item_ids=_ids(request, "item"),
                home="home" in request.query_params,
            )
        )
