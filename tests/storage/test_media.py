"""Wagtail's images in the bucket: served by Waymark at their usual addresses, as nginx
serves them from a folder, and nothing else of the bucket through the same door."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404

from common.media import serve_image
from tests.factories.moderation import png


def test_an_image_in_the_bucket_is_served_by_waymark_at_its_usual_address(bucket, rf):
    name = default_storage.save("images/logo.fill-80x60.png", ContentFile(png()))
    assert bucket.keys() == ["media/images/logo.fill-80x60.png"]
    # Waymark's own address, never one of the bucket's (signed or not).
    assert default_storage.url(name) == "/media/images/logo.fill-80x60.png"

    response = serve_image(rf.get("/media/images/logo.fill-80x60.png"), name="logo.fill-80x60.png")

    assert b"".join(response.streaming_content) == png()
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "public, max-age=2592000"


@pytest.mark.parametrize(
    "name",
    [
        "drawing.svg",  # could carry scripts
        "missing.png",
        "../../evidence/centre-1/photo.png",  # out of media/ altogether
        "../documents/report.png",  # another folder of media/: Wagtail checks documents' privacy
        "../original_images/board.png",  # the originals, which nginx never served either
        "./../documents/report.png",
        "/documents/report.png",
    ],
)
def test_nothing_but_an_image_of_the_media_storage_is_served(bucket, rf, name):
    default_storage.save("images/drawing.svg", ContentFile(b'<svg xmlns="http://www.w3.org/2000/svg"/>'))
    bucket.put("evidence/centre-1/photo.png", png())
    bucket.put("media/documents/report.png", png())
    bucket.put("media/original_images/board.png", png())
    with pytest.raises(Http404):
        serve_image(rf.get(f"/media/images/{name}"), name=name)
