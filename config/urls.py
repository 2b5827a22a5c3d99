from django.conf import settings
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from accounts.views import admin_sign_in

urlpatterns = [
    # For load balancers: before everything else, and outside Wagtail's catch-all.
    path("", include("operations.urls")),
    path("accounts/", include("accounts.urls")),
    path("", include("centre.urls")),  # /centre/ and the audit trail, /audit/
    path("learners/", include("learners.urls")),
    path("portfolio/network/", include("networking.urls")),
    path("portfolio/", include("portfolio.urls")),
    # Assessment's pages under assessment/, and the learner's home at portfolio/ (where
    # their units stand, which assessment tells): one namespace, "assessment".
    path("", include("assessment.urls")),
    path("iqa/", include("iqa.urls")),
    path("moderation/", include("moderation.urls")),
    path("", include("privacy.urls")),
    # One sign-in for everyone, throttled and with the second factor: not Wagtail's own.
    path("admin/login/", admin_sign_in, name="admin_sign_in"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()

if settings.MEDIA_IMAGES_FROM_STORAGE:
    from common.media import serve_image

    urlpatterns += [path("media/images/<path:name>", serve_image, name="media_image")]

# Wagtail serves the catalogue's pages; it comes last so that it matches what is left.
urlpatterns += [path("", include(wagtail_urls))]
