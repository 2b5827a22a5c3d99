"""The product's URLs and, for benchmarks/serve.py alone, a trivial page: what one request
costs through the same middleware with no work of Waymark's own."""

from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as product_urlpatterns


def trivial(request):
    return HttpResponse("Nothing here.", content_type="text/plain")


urlpatterns = [path("benchmark/trivial/", trivial), *product_urlpatterns]
