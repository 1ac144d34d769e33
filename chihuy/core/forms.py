"""Form helpers shared by the apps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest

# Imported from here by the forms and the migrations written before it moved to chihuy.core.files.
from chihuy.core.files import validate_document

__all__ = ["DateInput", "add_service_errors", "flash_errors", "run_form_action", "validate_document"]


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's ValidationError next to the fields it names, the rest on top of the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def flash_errors(request: HttpRequest, source: forms.BaseForm | ValidationError) -> None:
    """A form's field errors, or a service's refusal, as messages on the next page."""
    if isinstance(source, ValidationError):
        for msg in source.messages:
            messages.error(request, msg)
        return
    for errors in source.errors.values():
        for error in errors:
            messages.error(request, str(error))  # ErrorList yields the messages as text


def run_form_action(
    request: HttpRequest, form: forms.BaseForm, act: Callable[[dict[str, Any]], str | None]
) -> bool:
    """One small POST action (a button with a few fields) that redirects back to its page.

    ``act`` calls the service with the cleaned data and returns the success message (or
    None for none); invalid fields and a service's ValidationError become error messages.
    """
    if not form.is_valid():
        flash_errors(request, form)
        return False
    try:
        done = act(form.cleaned_data)
    except ValidationError as exc:
        flash_errors(request, exc)
        return False
    if done:
        messages.success(request, done)
    return True


class DateInput(forms.DateInput):
    """A date typed as dd/mm/yyyy whatever the browser's language (R: Vietnamese documents).

    A native ``type=date`` field shows mm/dd/yyyy on an English-language browser, which a
    duty officer would misread; a plain text field with the pattern shown avoids that.
    """

    input_type = "text"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        defaults = {
            "placeholder": "dd/mm/yyyy",
            "inputmode": "numeric",
            "autocomplete": "off",
            "pattern": r"\d{1,2}/\d{1,2}/\d{4}",
            "size": "10",
        }
        super().__init__(attrs={**defaults, **(attrs or {})}, format="%d/%m/%Y")
