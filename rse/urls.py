from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from integrations.tokens import views as integration_token_views
from rse import views
from rse.accounts import views as account_views
from rse.lib import files

api_patterns = [
    path("", include("repository.api_urls")),
    path("", include("directory.api_urls")),
    path("", include("communities.api_urls")),
    path("", include("animation.api_urls")),
    path("", include("engagement.api_urls")),
    # --- integrations: API tokens ---
    path("", include("integrations.tokens.api_urls")),
    path("", include("integrations.api_urls")),  # webhooks (and the other integrations)
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script from a URL: no inline script under our CSP.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("rse.accounts.urls")),
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("healthz/", views.healthz, name="healthz"),
    path("jobs/", views.job_list, name="job_list"),
    path("jobs/<str:kind>/<int:job_id>/", views.job_detail, name="job_detail"),
    path("jobs/<str:kind>/<int:job_id>/status/", views.job_status, name="job_status"),
    path("jobs/<str:kind>/<int:job_id>/retry/", views.job_retry, name="job_retry"),
    path("jobs/<str:kind>/<int:job_id>/cancel/", views.job_cancel, name="job_cancel"),
    path("api/v1/", include(api_patterns)),
    # Photos and covers only, in production as in development: attachments and documents are
    # served by their permission views (rse/lib/files.py).
    path("media/<path:path>", files.media, name="media"),
    path("repository/", include("repository.urls")),
    path("people/", include("directory.urls")),
    path("engagement/", include("engagement.urls")),
    # --- integrations: tokens, service accounts, API guide ---
    path("integrations/", include("integrations.tokens.urls")),
    path("developers/api/", integration_token_views.api_guide, name="integrations_api_guide"),
    # --- integrations: SCIM 2.0 provisioning (no trailing slashes: identity providers send none) ---
    path("scim/v2/", include("integrations.scim.urls")),
    # --- integrations: OpenID Connect sign-in (mozilla-django-oidc; 404 until configured) ---
    path("oidc/", include("mozilla_django_oidc.urls")),
    path("", include("animation.urls")),
    path("", include("integrations.urls")),  # webhooks and feeds pages
    path("", include("communities.urls")),
]

handler500 = "rse.views.server_error"
