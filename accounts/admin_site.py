"""The Django admin's site: Django's, behind the second factor."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse

from accounts import factors


class CRMAdminSite(admin.AdminSite):
    """Django's admin site; only for a session that passed the second step
    where the user needs one (accounts.middleware sends it there first), and
    with one login page for everything: ours (lockout, second step)."""

    def has_permission(self, request) -> bool:
        user = request.user
        return super().has_permission(request) and (
            user.is_verified() or not factors.second_step_needed(user)
        )

    @login_not_required
    def login(self, request, extra_context=None):
        target = request.GET.get("next") or reverse(
            "admin:index", current_app=self.name
        )
        return redirect_to_login(target, settings.LOGIN_URL)
