"""What every settings page and settings API shares: secrets that are never rendered (a masked
hint; an empty field keeps the stored value) and a form's errors as one InvalidInput."""

from __future__ import annotations

from django import forms

from core.errors import InvalidInput


def mask_secret(value: str) -> str:
    """'••••1234' for a long key (its last four characters), '••••' for anything shorter, '' when unset."""
    if not value:
        return ""
    return "••••" + (value[-4:] if len(value) >= 16 else "")


def valid_host(host: str) -> bool:
    """An IP address or a DNS name the resolver accepts (labels of 1-63 characters, 253 in all)."""
    if ":" in host:  # IPv6, already checked by urlsplit's brackets
        return True
    try:
        encoded = host.encode("idna")
    except UnicodeError:
        return False
    return len(encoded) <= 253 and all(0 < len(label) <= 63 for label in encoded.rstrip(b".").split(b"."))


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
