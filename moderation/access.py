"""Fetching moderation's objects in a view: within the request's centre, and for the
moderator only what their live access covers; anything else, missing or not theirs, is
the same 404."""

from django.http import Http404

from accounts.selectors import kept_in_session
from common.access import centre_object_or_404
from moderation.models import BundleRender, ModerationSample, ModeratorAccess
from moderation.selectors import samples_for_moderator

OPEN_SAMPLES_SESSION_KEY = "waymark_moderation_samples"


def live_accesses_of_moderator(request) -> list[ModeratorAccess]:
    """The signed-in person's live accesses in the request's centre, each with its sample,
    asked once a request (``ModeratorAccessMiddleware`` asks first): as of this moment, so
    an access that has just expired or been revoked, by whatever means, is missing."""
    if not hasattr(request, "_live_moderator_accesses"):
        request._live_moderator_accesses = list(
            ModeratorAccess.objects.live()
            .filter(centre=request.centre, sample__centre=request.centre, moderator=request.user)
            .select_related("sample")
            .order_by("pk")
        )
    return request._live_moderator_accesses


def open_sample_ids(request) -> set[int]:
    """The ids of the samples the moderation policy opens to the signed-in moderator
    (``samples_for_moderator``): its own answer, kept in the session for as long as what it
    reads stands still. Their live accesses are asked on every request
    (``live_accesses_of_moderator``): the answer is kept only for the same ones, and never
    opens a sample none of them is for (an access granted while the answer was asked,
    since expired, say). Their grants, and their roles, move their ``access_epoch``
    whenever they change (``moderation.receivers``, ``centre.receivers``)."""
    live = [[access.pk, access.sample_id] for access in live_accesses_of_moderator(request)]
    if not live:
        return set()

    def read() -> list[int]:
        samples = samples_for_moderator(centre=request.centre, moderator=request.user)
        return list(samples.values_list("pk", flat=True))

    kept = kept_in_session(request, OPEN_SAMPLES_SESSION_KEY, given_for=[request.centre.pk, live], read=read)
    return set(kept) & {sample_id for _, sample_id in live}


def access_moderator_sample(request, sample_id: int, *, with_unit: bool = True) -> ModerationSample:
    """The sample ``sample_id`` if the signed-in moderator's access to it is live; with
    ``with_unit=False``, the sample as the live accesses brought it, its unit read only if
    it is asked for (by a page kept for its reader, only when the page is rendered)."""
    if sample_id not in open_sample_ids(request):
        raise Http404("No such sample open to you.")
    if not with_unit:
        # One of the live accesses is for it (open_sample_ids): the sample they brought.
        live = live_accesses_of_moderator(request)
        return next(access.sample for access in live if access.sample_id == sample_id)
    samples = ModerationSample.objects.select_related("unit").filter(centre=request.centre)
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
