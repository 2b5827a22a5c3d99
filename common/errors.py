"""The one family of errors a service raises when it will not make a change.

Every service refusal is a ``ServiceError`` of one of four kinds, so that a view, a
command, a task or the API handles them all the same way (``common.forms.run_form`` puts
one on a form; a command prints it). The message is written for the person who asked:
it says what stopped the change and what they can do, in British English.

- ``Refused``: the rules forbid this change (a register with problems, an erasure under a
  hold, an allocation to someone who is not an assessor here).
- ``Stale``: the page the person acted on showed an earlier state than the current one.
- ``Frozen``: the thing is locked (submitted evidence, a sample once started).
- ``NotAllowed``: this person may not make this change, though another could.

``AlreadyDone`` is a ``Refused`` for a change that was made already: most often the same
form sent twice (a double click, a second tab), the second sending finding the first's
work done. A view answers it as the success it repeats, with what was done, by whom and
when, rather than as a mistake.
"""

from django.core.exceptions import ValidationError


class ServiceError(Exception):
    """A change a service would not make. ``problems`` lists every reason (each one reads
    as a sentence for the person through ``str``); ``field`` names the form field they
    belong to, when one does. Raised without problems, the first paragraph of the
    class's docstring is the message."""

    field: str | None = None

    def __init__(self, *problems, field: str | None = None):
        self.problems = list(problems) or [self.__doc__.strip().split("\n\n")[0]]
        if field is not None:
            self.field = field
        self.by_field: dict[str | None, list[str]] = {self.field: self.messages}
        super().__init__("\n".join(self.messages))

    @property
    def messages(self) -> list[str]:
        return [str(problem) for problem in self.problems]

    @classmethod
    def on_fields(cls, by_field: dict[str | None, list[str]]) -> "ServiceError":
        """The error whose problems belong to several fields (``None``: to none). Made
        without the class's own ``__init__``, which may take other arguments (a subclass
        writes its message from them); these messages are the whole of it."""
        error = cls.__new__(cls)
        ServiceError.__init__(error, *(message for messages in by_field.values() for message in messages))
        error.by_field = {field: list(messages) for field, messages in by_field.items()}
        return error


class Refused(ServiceError):
    """The rules do not allow this change."""


class Stale(ServiceError):
    """What you saw has changed since the page was loaded. Look again and try once more."""


class Frozen(ServiceError):
    """This can no longer be changed."""


class NotAllowed(ServiceError):
    """You may not make this change."""


class AlreadyDone(Refused):
    """This was done already, so nothing was changed. ``done`` is the row that records it
    (the sign-off, the verdict), for the view to show."""

    def __init__(self, *problems, done=None):
        self.done = done
        super().__init__(*problems)


def check_model(instance, *, exclude=()) -> None:
    """Validate ``instance`` as its model declares (Django's ``full_clean``), so that its
    limits hold for every caller; a limit it breaks is ``Refused``, on its field."""
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        raise Refused.on_fields(
            error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
        ) from None
