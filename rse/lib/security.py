"""Security headers (issue 13, hole 8): the Content-Security-Policy of settings.CONTENT_SECURITY_POLICY
(django-csp), widened per request only where the page's own websocket needs it."""

from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http.request import split_domain_port


class CSPMiddleware(BaseCSPMiddleware):
    """Without a proxy (`make serve`), websockets live on another port of the host the browser
    used (static/js/realtime.js): 'self' does not cover it, so that one origin is added."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        port = settings.WEBSOCKET_PORT
        if not port or report_only:
            return parts
        try:
            host, _port = split_domain_port(request.get_host())  # validated against ALLOWED_HOSTS
        except DisallowedHost:
            return parts
        update = dict(parts.update or {})
        update["connect-src"] = [*update.get("connect-src", []), f"ws://{host}:{port}", f"wss://{host}:{port}"]
        parts.update = update
        return parts
