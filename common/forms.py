"""Running a service from a form, so that views stay thin.

A view builds the form from the request, then ``run_form`` validates it and calls the
service; a ``ServiceError`` the service raises lands on the form (on its field, or above
the form) exactly as a validation error would, and the view shows the form again::

    form = AllocateForm(request.POST, enrolment=enrolment)
    if run_form(form, lambda data: allocate_assessor(enrolment=enrolment, actor=request.user, **data)):
        return redirect(...)
    return render(request, "...", {"form": form})
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from common.errors import ServiceError


def add_service_error(form: forms.BaseForm, error: ServiceError) -> None:
    """Put each of the error's problems on the form: on ``error.field`` when the form has
    that field, above the form otherwise."""
    field = error.field if error.field in form.fields else None
    for message in error.messages:
        form.add_error(field, message)


def add_validation_error(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a model's own limits (``full_clean`` in a service) on the form: each field's
    on that field when the form has it, above the form otherwise."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, [m for e in errors for m in e.messages])


def run_form(form: forms.BaseForm, action: Callable[[dict[str, Any]], Any]) -> bool:
    """True when ``form`` is valid and ``action(form.cleaned_data)`` ran without a service
    error; what the action returned is then ``form.outcome``. Otherwise the form carries
    every reason and False is returned: nothing was changed; the service's error, if it
    was one, is then ``form.service_error`` (a page may answer a ``Stale`` one with 409).

    A ``ValidationError`` from the action (a model's limits checked by the service's
    ``full_clean``, or a service not yet raising the ``ServiceError`` family) lands on the
    form the same way."""
    form.service_error = None
    if not form.is_valid():
        return False
    try:
        form.outcome = action(form.cleaned_data)
    except ServiceError as error:
        form.service_error = error
        add_service_error(form, error)
        return False
    except ValidationError as error:
        add_validation_error(form, error)
        return False
    return True


class ConfirmForm(forms.Form):
    """A POST that asks for one change and carries nothing but its CSRF token (delete
    this, remove that): so that it too goes through ``run_form``."""
