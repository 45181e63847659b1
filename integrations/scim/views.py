"""SCIM 2.0 endpoints (RFC 7644) under /scim/v2/: a bearer token with the scim scope only.
Thin: parse, call integrations.scim.users / groups, render; every error in SCIM's format."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, parsers, permissions, renderers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from integrations.scim import discovery, groups, users
from integrations.scim.errors import ScimError, error_body
from integrations.tokens.authentication import BearerTokenAuthentication
from integrations.tokens.models import ApiToken, Scope

LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"


class ScimParser(parsers.JSONParser):
    media_type = "application/scim+json"


class ScimRenderer(renderers.JSONRenderer):
    media_type = "application/scim+json"
    charset = "utf-8"


class HasScimScope(permissions.BasePermission):
    def has_permission(self, request, view):
        return isinstance(request.auth, ApiToken) and request.auth.has_scope(Scope.SCIM)


@extend_schema(exclude=True)
class ScimView(APIView):
    authentication_classes = [BearerTokenAuthentication]
    permission_classes = [HasScimScope]
    parser_classes = [ScimParser, parsers.JSONParser]
    renderer_classes = [ScimRenderer, renderers.JSONRenderer]

    def handle_exception(self, exc):
        if isinstance(exc, ScimError):
            return Response(error_body(exc.status, exc.detail, exc.scim_type), status=exc.status)
        if isinstance(exc, DjangoValidationError):
            return Response(error_body(400, " ".join(exc.messages), "invalidValue"), status=400)
        if isinstance(exc, DjangoPermissionDenied):
            return Response(error_body(403, str(exc) or _("You do not have permission.")), status=403)
        if isinstance(exc, Http404):
            return Response(error_body(404, _("Not found.")), status=404)
        response = super().handle_exception(exc)
        if isinstance(exc, exceptions.APIException):
            detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
            scim_type = "invalidSyntax" if isinstance(exc, exceptions.ParseError) else None
            response.data = error_body(response.status_code, detail, scim_type)
        return response

    def base(self, request):
        return request.build_absolute_uri("/").rstrip("/")

    def body(self, request):
        data = request.data
        if not isinstance(data, dict):
            raise ScimError(400, _("The body must be a JSON object."), "invalidSyntax")
        return data

    def page(self, request, qs):
        """startIndex (1-based) and count (RFC 7644 §3.4.2.4)."""

        def number(name, default):
            raw = request.query_params.get(name)
            try:
                return int(raw) if raw not in (None, "") else default
            except ValueError:
                raise ScimError(400, _("%(n)s must be a number.") % {"n": name}, "invalidValue") from None

        start = max(1, min(number("startIndex", 1), 10**9))
        count = max(0, min(number("count", 100), discovery.MAX_RESULTS))
        total = qs.count()
        rows = list(qs[start - 1 : start - 1 + count]) if count else []
        return start, total, rows

    def list_response(self, start, total, resources):
        return Response(
            {
                "schemas": [LIST_SCHEMA],
                "totalResults": total,
                "startIndex": start,
                "itemsPerPage": len(resources),
                "Resources": resources,
            }
        )


# --- Users ---------------------------------------------------------------------------------------


class UsersView(ScimView):
    def user_location(self, request, pk):
        return f"{self.base(request)}/scim/v2/Users/{pk}"

    def resource(self, request, user):
        return users.to_resource(user, self.user_location(request, user.pk))

    def get(self, request):
        qs = users.scim_users()
        if request.query_params.get("filter"):
            qs = users.filter_scim_users(qs, request.query_params["filter"])
        start, total, rows = self.page(request, qs)
        return self.list_response(start, total, [self.resource(request, u) for u in rows])

    def post(self, request):
        user = users.do_scim_create_user(request.user, self.body(request))
        user = users.get_scim_user(user.pk)
        response = Response(self.resource(request, user), status=status.HTTP_201_CREATED)
        response["Location"] = self.user_location(request, user.pk)
        return response


class UserDetailView(UsersView):
    def get(self, request, user_id):
        return Response(self.resource(request, users.get_scim_user(user_id)))

    def put(self, request, user_id):
        user = users.get_scim_user(user_id)
        wanted = users.from_resource(self.body(request), base=users.current(user))
        users.do_scim_update_user(request.user, user, wanted)
        return Response(self.resource(request, users.get_scim_user(user_id)))

    def patch(self, request, user_id):
        user = users.get_scim_user(user_id)
        wanted = users.apply_patch(users.current(user), self.body(request))
        users.do_scim_update_user(request.user, user, wanted)
        return Response(self.resource(request, users.get_scim_user(user_id)))

    def delete(self, request, user_id):
        users.do_scim_delete_user(request.user, users.get_scim_user(user_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Groups --------------------------------------------------------------------------------------


class GroupsView(ScimView):
    def location(self, request, pk):
        return f"{self.base(request)}/scim/v2/Groups/{pk}"

    def resources(self, request, units):
        excluded = {a.strip().lower() for a in request.query_params.get("excludedAttributes", "").split(",")}
        members = None if "members" in excluded else groups.members_of(units)
        base = self.base(request)
        return [
            groups.to_resource(
                unit,
                None if members is None else members[unit.pk],
                self.location(request, unit.pk),
                lambda pk: f"{base}/scim/v2/Users/{pk}",
            )
            for unit in units
        ]

    def get(self, request):
        qs = groups.scim_groups()
        if request.query_params.get("filter"):
            qs = groups.filter_scim_groups(qs, request.query_params["filter"])
        start, total, rows = self.page(request, qs)
        return self.list_response(start, total, self.resources(request, rows))

    def post(self, request):
        unit = groups.do_scim_create_group(request.user, self.body(request))
        response = Response(self.resources(request, [unit])[0], status=status.HTTP_201_CREATED)
        response["Location"] = self.location(request, unit.pk)
        return response


class GroupDetailView(GroupsView):
    def get(self, request, group_id):
        return Response(self.resources(request, [groups.get_scim_group(group_id)])[0])

    def put(self, request, group_id):
        unit = groups.do_scim_replace_group(request.user, groups.get_scim_group(group_id), self.body(request))
        return Response(self.resources(request, [unit])[0])

    def patch(self, request, group_id):
        unit = groups.do_scim_patch_group(request.user, groups.get_scim_group(group_id), self.body(request))
        return Response(self.resources(request, [unit])[0])

    def delete(self, request, group_id):
        groups.do_scim_delete_group(request.user, groups.get_scim_group(group_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Discovery -----------------------------------------------------------------------------------


class ServiceProviderConfigView(ScimView):
    def get(self, request):
        return Response(discovery.service_provider_config(self.base(request)))


class SchemasView(ScimView):
    def get(self, request, schema_id=None):
        found = discovery.schemas(self.base(request))
        if schema_id is not None:
            match = [s for s in found if s["id"] == schema_id]
            if not match:
                raise ScimError(404, _("No such schema."))
            return Response(match[0])
        return self.list_response(1, len(found), found)


class ResourceTypesView(ScimView):
    def get(self, request, type_id=None):
        found = discovery.resource_types(self.base(request))
        if type_id is not None:
            match = [t for t in found if t["id"] == type_id]
            if not match:
                raise ScimError(404, _("No such resource type."))
            return Response(match[0])
        return self.list_response(1, len(found), found)
