from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from core.health import healthz

# The admin's own login form would skip allauth's rate limits and second-factor step:
# send it to allauth's login instead.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", include("governance.urls")),
    path("", include("elections.urls")),
    path("", include("members.urls")),
]
