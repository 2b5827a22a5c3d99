"""What the catalogue tells the apps below it (how the audit trail names a unit), and
what it hears: any change to what a visitor may see forgets the pages kept for them."""

from django.db.models.signals import post_delete, post_save
from wagtail.models import Page, PageViewRestriction, Site, get_page_models
from wagtail.signals import page_published, page_unpublished, post_page_move

from audit.references import UNIT, register_reference
from common.reader_pages import written_as_people_read
from units.models import UnitPage
from units.visitor_pages import forget_visitor_pages


def unit_numbers(centre, keys) -> dict[int, str]:
    """The reference number of each unit with one of ``keys``, as the audit trail names it
    (the catalogue is shared: the same in every centre)."""
    return dict(UnitPage.objects.filter(pk__in=keys).values_list("pk", "urn"))


register_reference(UNIT, names=unit_numbers)
# Written while an editor has a page open in Wagtail's admin.
written_as_people_read("wagtailadmin.EditingSession")


def _forget_visitor_pages(**kwargs) -> None:
    forget_visitor_pages()


# Each page model by name, not every model: a receiver of every model's deletions would
# make Django delete each row of any model one by one, to tell it.
for _model in [Page, *get_page_models(), Site, PageViewRestriction]:
    post_save.connect(
        _forget_visitor_pages, sender=_model, dispatch_uid=f"visitor-pages-saved-{_model._meta.label}"
    )
    post_delete.connect(
        _forget_visitor_pages, sender=_model, dispatch_uid=f"visitor-pages-deleted-{_model._meta.label}"
    )
for _signal in (page_published, page_unpublished, post_page_move):
    _signal.connect(_forget_visitor_pages, dispatch_uid=f"visitor-pages-{id(_signal)}")
