from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email address", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )


class PasswordLinkForm(PasswordResetForm):
    """Asking for a link to choose a password. Besides those who have one, a person who was
    invited and has not chosen one yet may ask (their invitation expired or was lost);
    an account without a password that was never invited stays without a link."""

    def get_users(self, email):
        users = get_user_model()._default_manager.filter(email__iexact=email, is_active=True)
        return (user for user in users if user.has_usable_password() or user.invited_at is not None)
