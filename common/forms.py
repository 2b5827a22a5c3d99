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

from common.errors import ServiceError


def add_service_error(form: forms.BaseForm, error: ServiceError) -> None:
    """Put each of the error's problems on the form: on its field when the form has that
    field, above the form otherwise."""
    for field, messages in error.by_field.items():
        form.add_error(field if field in form.fields else None, messages)


def run_form(form: forms.BaseForm, action: Callable[[dict[str, Any]], Any]) -> bool:
    """True when ``form`` is valid and ``action(form.cleaned_data)`` ran without a service
    error; what the action returned is then ``form.outcome``. Otherwise the form carries
    every reason and False is returned: nothing was changed; the service's error, if it
    was one, is then ``form.service_error`` (a page may answer a ``Stale`` one with 409)."""
    form.service_error = None
    if not form.is_valid():
        return False
    try:
        form.outcome = action(form.cleaned_data)
    except ServiceError as error:
        form.service_error = error
        add_service_error(form, error)
        return False
    return True


class ConfirmForm(forms.Form):
    """A POST that asks for one change and carries nothing but its CSRF token (delete
    this, remove that): so that it too goes through ``run_form``."""
