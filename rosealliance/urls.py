from django.contrib import admin
from django.urls import include, path

from rosealliance.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", include("governance.urls")),
    path("", include("members.urls")),
]
