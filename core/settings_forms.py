"""What every settings page and settings API shares: secrets that are never rendered (a masked
hint; an empty field keeps the stored value) and a form's errors as one InvalidInput."""

from __future__ import annotations

from django import forms

from core.errors import InvalidInput
from core.text import mask_secret, valid_host

__all__ = ["invalid", "mask_secret", "secret_field", "valid_host"]


def secret_field(label: str, stored: str, *, max_length: int = 200, required: bool = False) -> forms.CharField:
    """A password input that never shows the stored value; empty keeps it."""
    help_text = f"Stored: {mask_secret(stored)}. Leave empty to keep it." if stored else ""
    return forms.CharField(
        required=required and not stored,
        max_length=max_length,
        label=label,
        help_text=help_text,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )


def invalid(form: forms.BaseForm, what: str) -> InvalidInput:
    """Every problem of a bound form, the first of each field in the message, all in details."""
    errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
    first = "; ".join(f"{'' if name == '__all__' else name + ': '}{errs[0]}" for name, errs in errors.items())
    return InvalidInput(f"The {what} are not valid: {first}", details={"errors": errors})
