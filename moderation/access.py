"""Fetching moderation's objects in a view: within the request's centre, and for the
moderator only what their live access covers; anything else, missing or not theirs, is
the same 404."""

from django.http import Http404

from common.access import centre_object_or_404
from moderation.models import BundleRender, ModerationSample, ModeratorAccess
from moderation.selectors import samples_for_moderator


def access_moderator_sample(request, sample_id: int, *, with_unit: bool = True) -> ModerationSample:
    """The sample ``sample_id`` if the signed-in moderator's access to it is live; with
    ``with_unit=False``, its unit is read only if it is asked for (by a page kept for its
    reader, only when the page is rendered)."""
    samples = samples_for_moderator(centre=request.centre, moderator=request.user)
    if not with_unit:
        samples = samples.select_related(None)
    sample = samples.filter(pk=sample_id).first()
    if sample is None:
        raise Http404("No such sample open to you.")
    return sample


def access_bundle_render(request, sample_id: int, render_id: int) -> BundleRender:
    """The render ``render_id`` of a sample the signed-in moderator may see."""
    sample = access_moderator_sample(request, sample_id)
    bundle = BundleRender.objects.filter(sample=sample, pk=render_id).select_related("sample__unit").first()
    if bundle is None:
        raise Http404("No such bundle.")
    return bundle


def access_sample(request, sample_id: int) -> ModerationSample:
    """The centre's sample ``sample_id``, for its centre admin."""
    return centre_object_or_404(
        request, ModerationSample.objects.select_related("unit"), pk=sample_id, missing="No such sample."
    )


def access_moderator_access(request, access_id: int) -> ModeratorAccess:
    """The centre's moderator access ``access_id``, for its centre admin."""
    return centre_object_or_404(
        request,
        ModeratorAccess.objects.select_related("moderator", "sample"),
        pk=access_id,
        missing="No such access.",
    )
