from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe
from django.views.i18n import set_language as django_set_language

from accounts import roles, selectors, services
from accounts.forms import LanguageForm, ThrottledPasswordResetForm
from accounts.models import Team, User
from accounts.permissions import role_required, roles_of
from accounts.roles import Role


def dashboard(request):
    """The start page: for now, who you are, per role."""
    user = request.user
    held = roles_of(user)
    context = {
        "roles": held,
        "Role": Role,
        "managed_teams": Team.objects.managed_by(user).prefetch_related(
            Prefetch("group__user_set", queryset=User.objects.order_by("username"))
        ),
    }
    return render(request, "accounts/dashboard.html", context)


@role_required(roles.ADMIN_ROLES)
def administration(request):
    """Users with their roles and teams, and the teams with manager and members."""
    users = User.objects.order_by("username").prefetch_related("groups")
    teams = Team.objects.select_related("manager", "group").prefetch_related(
        Prefetch("group__user_set", queryset=User.objects.order_by("username"))
    )
    role_labels = dict(Role.choices)
    team_names = {team.group_id: team.name for team in teams}
    rows = [
        {
            "user": user,
            "roles": [
                role_labels[g.name] for g in user.groups.all() if g.name in role_labels
            ],
            "teams": [
                team_names[g.pk] for g in user.groups.all() if g.pk in team_names
            ],
        }
        for user in users
    ]
    return render(
        request, "accounts/administration.html", {"rows": rows, "teams": teams}
    )


@login_not_required
@require_POST
def set_language(request):
    """Switch the language; a signed-in user keeps it for pages and e-mails."""
    form = LanguageForm(request.POST)
    if form.is_valid() and request.user.is_authenticated:
        services.user_set_language(
            user=request.user, language=form.cleaned_data["language"]
        )
    return django_set_language(request)


def locked_out(request, credentials, *args, **kwargs):
    """django-axes lockout page: 429 with how long the block or back-off lasts."""
    backoff = getattr(request, "crm_login_backoff", 0)
    seconds = backoff or int(settings.AXES_COOLOFF_TIME.total_seconds())
    response = render(
        request,
        "registration/locked_out.html",
        {"backoff_seconds": backoff, "cooloff_minutes": seconds // 60},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset page with its e-mails throttled (accounts.forms)."""

    form_class = ThrottledPasswordResetForm


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's page; the user's other sessions end with the old password."""

    def form_valid(self, form):
        response = super().form_valid(form)  # keeps this session (a new key)
        services.end_sessions(form.user, except_key=self.request.session.session_key)
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's page; a new password by e-mail link ends every session."""

    def form_valid(self, form):
        response = super().form_valid(form)
        services.end_sessions(form.user)
        return response


@require_safe
def session_list(request: HttpRequest) -> HttpResponse:
    """The user's signed-in browsers: device, address, last use; end the others."""
    rows = selectors.session_list(
        user=request.user, current_key=request.session.session_key
    )
    context = {
        "sessions": rows,
        "idle_minutes": settings.SESSION_IDLE_TIMEOUT // 60,
        "absolute_hours": settings.SESSION_ABSOLUTE_TIMEOUT // 3600,
    }
    return render(request, "accounts/session_list.html", context)


@require_POST
def session_end_others(request: HttpRequest) -> HttpResponse:
    """End every session of the user but this one."""
    ended = services.end_sessions(request.user, except_key=request.session.session_key)
    messages.success(
        request,
        ngettext(
            "%(count)d other session ended.", "%(count)d other sessions ended.", ended
        )
        % {"count": ended},
    )
    return redirect("accounts:session_list")


@require_POST
def session_end(request: HttpRequest, reference: str) -> HttpResponse:
    """End one other session of the user (404 for anyone else's)."""
    session = selectors.session_get(
        user=request.user,
        reference=reference,
        current_key=request.session.session_key,
    )
    services.session_end(session=session, actor=request.user)
    messages.success(request, _("The session was ended."))
    return redirect("accounts:session_list")
