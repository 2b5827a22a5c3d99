from wagtail.snippets.views.snippets import CreateView


class CentreOwnedCreateView(CreateView):
    """A new snippet belongs to the centre the admin is working in."""

    def get_initial_form_instance(self):
        return self.model(centre=self.request.centre)
