from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from rse import views
from rse.accounts import views as account_views

api_patterns = [
    path("", include("repository.api_urls")),
    path("", include("directory.api_urls")),
    path("", include("communities.api_urls")),
    path("", include("animation.api_urls")),
    path("", include("integrations.api_urls")),  # webhooks (and the other integrations)
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
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
    path("repository/", include("repository.urls")),
    path("people/", include("directory.urls")),
    path("", include("animation.urls")),
    path("", include("integrations.urls")),  # webhooks and feeds pages
    path("", include("communities.urls")),
]

handler500 = "rse.views.server_error"

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
