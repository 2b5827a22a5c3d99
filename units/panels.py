from wagtail.admin.panels import InlinePanel


class CriteriaInlinePanel(InlinePanel):
    """The criteria of one outcome. Wagtail names each inline child "<label> <position>",
    so criterion 1 of every outcome would share one name and screen-reader users could
    not tell their panels apart; here each is named by its code instead."""

    class BoundPanel(InlinePanel.BoundPanel):
        template_name = "units/admin/panels/criteria_inline_panel.html"
