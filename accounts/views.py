from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)
from django.views.i18n import set_language as django_set_language
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp_webauthn.models import WebAuthnCredential

from accounts import factors, roles, security, selectors, services
from accounts.forms import (
    CommitmentForm,
    CompanyForm,
    LanguageForm,
    SecondFactorForm,
    TeamForm,
    ThrottledPasswordResetForm,
    TotpAddForm,
    UserForm,
)
from accounts.models import (
    CommitmentAcceptance,
    CommitmentText,
    Company,
    CompanyRole,
    Team,
    User,
)
from accounts.permissions import forget_access, has_role, role_required, roles_of
from accounts.roles import Role
from core.errors import NotPossible
from core.history import history_page
from core.params import int_param
from core.versioning import StaleEdit


def dashboard(request):
    """The start page: for now, who you are, per role."""
    user = request.user
    held = roles_of(user)
    context = {
        "roles": held,
        "Role": Role,
        "managed_teams": Team.objects.managed_by(user)
        .of_company(user.company_id)
        .prefetch_related(
            Prefetch("group__user_set", queryset=User.objects.order_by("username"))
        ),
    }
    return render(request, "accounts/dashboard.html", context)


@role_required(roles.ADMIN_ROLES)
def administration(request):
    """Users with their roles and teams, and the teams with manager and members."""
    company = request.user.company_id
    # The company's users (those holding a role in it) and teams only.
    users = (
        selectors.company_members(company)
        .order_by("username")
        .annotate(has_factor=factors.has_factor_sql())
        .prefetch_related(
            Prefetch("groups", queryset=Group.objects.select_related("company_role"))
        )
    )
    teams = (
        Team.objects.of_company(company)
        .select_related("manager", "group")
        .prefetch_related(
            Prefetch("group__user_set", queryset=User.objects.order_by("username"))
        )
    )
    role_labels = dict(Role.choices)
    team_names = {team.group_id: team.name for team in teams}

    def roles_here(user) -> list[str]:
        return [
            role_labels[g.company_role.role]
            for g in user.groups.all()
            if hasattr(g, "company_role") and g.company_role.company_id == company
        ]

    rows = [
        {
            "user": user,
            "roles": roles_here(user),
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


# --- The second factor (accounts/factors.py) -----------------------------------


def _next_url(request) -> str:
    """Where to go after the second step: a local `next`, else the dashboard."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _refuse_locked(request) -> HttpResponse:
    """The second step is locked: sign out, answer as the login does (429)."""
    auth_logout(request)
    return locked_out(request, None)


@never_cache
def verify(request) -> HttpResponse:
    """The second step of the login: a TOTP code, a recovery code or a passkey."""
    user = request.user
    next_url = _next_url(request)
    if user.is_verified() or not factors.has_factor(user):
        return redirect(next_url)  # nothing to verify (the middleware decides)
    if security.second_step_locked(request, user):
        return _refuse_locked(request)
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.second_factor_check(
                user=user, code=form.cleaned_data["code"]
            )
        except services.CodeThrottled as refused:
            form.add_error("code", refused.message)
        else:
            if device is not None:
                otp_login(request, device)
                request.session.cycle_key()  # a new key for the verified session
                security.second_step_passed(request, user)
                if isinstance(device, StaticDevice):
                    left = device.token_set.count()
                    messages.warning(
                        request,
                        ngettext(
                            "You used a recovery code; %(count)d is left.",
                            "You used a recovery code; %(count)d are left.",
                            left,
                        )
                        % {"count": left},
                    )
                return redirect(next_url)
            if security.second_step_failed(request, user):
                return _refuse_locked(request)
            form.add_error("code", services.WrongCode().message)
    context = {
        "form": form,
        "next": next_url,
        "has_passkeys": WebAuthnCredential.objects.filter(
            user=user, confirmed=True
        ).exists(),
    }
    return render(request, "accounts/verify.html", context)


@require_GET
def security_page(request) -> HttpResponse:
    """Sicherheit: the user's factors and recovery codes; the enrolment too."""
    user = request.user
    context = {
        "factors": factors.factors_of(user),
        "required": factors.required_for(user),
        "next": _next_url(request) if request.GET.get("next") else "",
    }
    return render(request, "accounts/security.html", context)


_PENDING_SECRET = "crm_totp_pending_secret"


@never_cache
def totp_add(request) -> HttpResponse:
    """Add an authenticator app: scan the QR code (or type the secret), confirm
    with the first code. The secret waits in the session until confirmed."""
    user = request.user
    secret = request.session.get(_PENDING_SECRET)
    if secret is None:
        secret = request.session[_PENDING_SECRET] = factors.new_totp_secret()
    form = TotpAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.totp_device_add(
                user=user,
                secret=secret,
                code=factors.normalize_code(form.cleaned_data["code"]),
                name=form.cleaned_data["name"],
                actor=user,
            )
        except services.WrongCode as refused:
            form.add_error("code", refused.message)
        else:
            del request.session[_PENDING_SECRET]
            if not user.is_verified():  # the enrolment: this was the second step
                otp_login(request, device)
                request.session.cycle_key()
            messages.success(
                request,
                _(
                    "The authenticator app is added. Keep your recovery codes "
                    "somewhere safe: each one lets you in once without the app."
                ),
            )
            url = reverse("accounts:security")
            if request.POST.get("next"):
                url += "?" + urlencode({"next": _next_url(request)})
            return redirect(url)
    account = user.get_username()
    uri = factors.totp_uri(secret=secret, account=account)
    context = {
        "form": form,
        "qr_svg": mark_safe(factors.qr_svg(uri, title=_("QR code for your app"))),
        "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
        "next": request.POST.get("next") or request.GET.get("next", ""),
    }
    return render(request, "accounts/totp_add.html", context)


@require_POST
def factor_remove(request, kind: str, pk: int) -> HttpResponse:
    """Remove one of one's own factors."""
    try:
        services.factor_remove(user=request.user, kind=kind, pk=pk, actor=request.user)
    except NotPossible as refused:
        if refused.code == "factor_not_found":
            raise Http404 from None
        messages.error(request, refused.message)
    else:
        messages.success(request, _("The second factor is removed."))
    return redirect("accounts:security")


@require_POST
def recovery_codes_renew(request) -> HttpResponse:
    """New recovery codes for oneself; the old ones stop working."""
    try:
        services.recovery_codes_renew(user=request.user, actor=request.user)
    except NotPossible as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("New recovery codes: the old ones no longer work."))
    return redirect("accounts:security")


@role_required(roles.ADMIN_ROLES)
@require_POST
def factors_reset(request, pk: int) -> HttpResponse:
    """An Admin resets a user's second factors (the user is told by e-mail)."""
    # A user of another company is a 404, like a record of another team.
    target = get_object_or_404(
        selectors.company_members(request.user.company_id), pk=pk
    )
    own = request.session.session_key if target.pk == request.user.pk else None
    services.factors_reset(user=target, actor=request.user, keep_session=own)
    messages.success(
        request,
        _("The second factors of %(user)s are reset; they were told by e-mail.")
        % {"user": target},
    )
    return redirect("accounts:administration")


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


@require_http_methods(["GET", "POST"])
def company_switch(request: HttpRequest) -> HttpResponse:
    """The user's companies; choosing one makes it the one they work in."""
    if request.method == "POST":
        company_id = int_param(request.POST.get("company"))
        if company_id is None:
            return HttpResponseBadRequest()
        company = services.company_switch(user=request.user, company_id=company_id)
        request.session[services.COMPANY_COUNT_KEY] = services.companies_of(
            request.user
        ).count()
        messages.success(
            request, _("You now work in %(company)s.") % {"company": company.name}
        )
        # The start page: the page before belonged to the other company.
        return redirect("accounts:dashboard")
    companies = list(services.companies_of(request.user).order_by("name"))
    return render(
        request,
        "accounts/company_switch.html",
        {"companies": companies, "current": request.user.company_id},
    )


@role_required(roles.ADMIN_ROLES)
@require_http_methods(["GET", "POST"])
def company_settings(request: HttpRequest) -> HttpResponse:
    """The current company's settings, kept by its Admins."""
    company = get_object_or_404(Company, pk=request.user.company_id)
    form = CompanyForm(request.POST or None, request.FILES or None, instance=company)
    saved, conflict = False, None
    if request.method == "POST" and form.is_valid():
        saved, conflict = _save(
            form,
            lambda: services.company_update(
                company=company,
                actor=request.user,
                version=form.cleaned_data["version"],
                fields=form.service_fields(),
            ),
        )
    if saved:
        messages.success(request, _("Changes saved."))
        return redirect("accounts:company_settings")
    return render(
        request,
        "accounts/company_settings.html",
        {"form": form, "company": company, "conflict": conflict},
        status=_status(request, conflict),
    )


def _save(form, write) -> tuple[bool, list | None]:
    """Run a versioned write: (True, None) when saved; a save refused as stale
    gives what changed meanwhile, the service's refusal of the input stands in
    the form."""
    try:
        write()
    except StaleEdit as stale:
        return False, stale.changes
    except ValidationError as error:
        form.add_error(None, error)
        return False, None
    return True, None


def _status(request: HttpRequest, conflict) -> int:
    """200 for the form, 400 for refused input, 409 for a stale save."""
    if request.method != "POST":
        return 200
    return 409 if conflict is not None else 400


@require_http_methods(["GET", "POST"])
def commitment(request: HttpRequest) -> HttpResponse:
    """The company's confidentiality commitment: read and accept it (the only
    page until then). Without a published one there is nothing to accept."""
    current = (
        CommitmentText.objects.filter(company_id=request.user.company_id)
        .order_by("-version")
        .first()
    )
    if request.method == "POST":
        version = int_param(request.POST.get("version"))
        if current is None or version is None:
            return HttpResponseBadRequest()
        try:
            services.commitment_accept(user=request.user, version=version)
        except NotPossible as refused:
            messages.error(request, refused.message)
            return redirect("accounts:commitment")
        messages.success(request, _("Thank you: your commitment is recorded."))
        return redirect(_next_url(request))
    accepted = (request.user.accepted_commitments or {}).get(
        str(request.user.company_id), 0
    )
    return render(
        request,
        "accounts/commitment.html",
        {
            "current": current,
            "needed": services.commitment_needed(request.user),
            "accepted_version": accepted,
            "next": request.GET.get("next", ""),
        },
    )


@role_required({roles.Role.DPO, roles.Role.ADMIN})
@require_http_methods(["GET", "POST"])
def commitment_admin(request: HttpRequest) -> HttpResponse:
    """The DPO's page: the commitment's versions, a new one, and who accepted
    which version when (the records are kept, with history)."""
    company = request.user.company_id
    form = CommitmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            published = services.commitment_publish(
                actor=request.user, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Version %(version)d is in force; everyone accepts it again.")
                % {"version": published.version},
            )
            return redirect("accounts:commitment_admin")
    texts = list(CommitmentText.objects.filter(company_id=company))
    current = texts[0] if texts else None
    members = selectors.company_members(company).order_by("username")
    latest = {}
    for acceptance in CommitmentAcceptance.objects.filter(
        company_id=company
    ).select_related("text"):
        known = latest.get(acceptance.user_id)
        if known is None or acceptance.text.version > known.text.version:
            latest[acceptance.user_id] = acceptance
    rows = [
        {
            "user": member,
            "acceptance": latest.get(member.pk),
            "current": current is not None
            and member.pk in latest
            and latest[member.pk].text_id == current.pk,
        }
        for member in members
    ]
    return render(
        request,
        "accounts/commitment_admin.html",
        {"form": form, "texts": texts, "current": current, "rows": rows},
        status=400 if request.method == "POST" else 200,
    )


# --- Users and teams of the company (its Admins) --------------------------------


def _company(request) -> Company:
    return get_object_or_404(Company, pk=request.user.company_id)


def _user_history(user: User, company_id: int) -> list:
    """The user's changes, with roles and teams of other companies left out."""
    foreign = Group.objects.exclude(company_role__company_id=company_id).exclude(
        team__company_id=company_id
    )
    entries, _more = history_page(
        [User.history.filter(id=user.pk)],
        limit=50,
        hidden={Group: set(foreign.values_list("pk", flat=True))},
    )
    # Saves that changed nothing shown here (a sign-in's bookkeeping) are left out.
    return [e for e in entries if e.changes or e.reason or e.action != "changed"]


@role_required(roles.ADMIN_ROLES)
@require_http_methods(["GET", "POST"])
def user_new(request: HttpRequest) -> HttpResponse:
    """A new user of the company, invited by e-mail to set a password."""
    company = _company(request)
    form = UserForm(
        request.POST or None, company_id=company.pk, initial={"language": "de"}
    )
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_invite(
                actor=request.user,
                company=company,
                fields=form.service_fields(),
                roles=form.cleaned_data["roles"],
                teams=form.cleaned_data["teams"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(user)s is invited: the e-mail with the link goes to %(email)s.")
                % {"user": user, "email": user.email},
            )
            return redirect("accounts:user_edit", pk=user.pk)
    return render(
        request,
        "accounts/user_form.html",
        {"form": form, "target": None},
        status=400 if request.method == "POST" else 200,
    )


@role_required(roles.ADMIN_ROLES)
@require_http_methods(["GET", "POST"])
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A user of the company: name, e-mail, roles, teams, active; their history."""
    company = _company(request)
    # A user of another company is a 404, like a record of another team.
    target = get_object_or_404(selectors.company_members(company.pk), pk=pk)
    held = set(target.groups.values_list("pk", flat=True))
    initial = {
        "first_name": target.first_name,
        "last_name": target.last_name,
        "email": target.email,
        "language": target.language,
        "is_active": target.is_active,
        "roles": list(
            CompanyRole.objects.filter(company=company, group__in=held).values_list(
                "role", flat=True
            )
        ),
        "teams": list(Team.objects.of_company(company.pk).filter(group__in=held)),
    }
    form = UserForm(
        request.POST or None, company_id=company.pk, user=target, initial=initial
    )
    saved, conflict = False, None
    if request.method == "POST" and form.is_valid():
        saved, conflict = _save(
            form,
            lambda: services.user_update(
                actor=request.user,
                user=target,
                company=company,
                version=form.cleaned_data["version"],
                fields=form.service_fields(),
                roles=form.cleaned_data["roles"],
                teams=form.cleaned_data["teams"],
                active=form.cleaned_data["is_active"],
            ),
        )
    if saved:
        messages.success(request, _("Changes saved."))
        if target.pk == request.user.pk:
            forget_access(request.user)  # their own roles changed
            if not has_role(request.user, roles.ADMIN_ROLES):
                return redirect("accounts:dashboard")
        if not selectors.company_members(company.pk).filter(pk=pk).exists():
            return redirect("accounts:administration")
        return redirect("accounts:user_edit", pk=pk)
    return render(
        request,
        "accounts/user_form.html",
        {
            "form": form,
            "target": target,
            "conflict": conflict,
            "entries": _user_history(target, company.pk),
            "invitable": not target.has_usable_password() and target.last_login is None,
        },
        status=_status(request, conflict),
    )


@role_required(roles.ADMIN_ROLES)
@require_POST
def user_invite_again(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the invitation once more (a user who has not set a password yet)."""
    company = _company(request)
    target = get_object_or_404(selectors.company_members(company.pk), pk=pk)
    try:
        services.user_invite_again(actor=request.user, user=target, company=company)
    except NotPossible as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("The invitation is sent again."))
    return redirect("accounts:user_edit", pk=pk)


@role_required(roles.ADMIN_ROLES)
@require_http_methods(["GET", "POST"])
def team_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """A new team of the company, or one of its teams: name, manager, members."""
    company = _company(request)
    team = None
    if pk is not None:
        team = get_object_or_404(
            Team.objects.of_company(company.pk).select_related("group"), pk=pk
        )
    initial = {}
    if team is not None:
        initial = {
            "name": team.name,
            "manager": team.manager_id,
            "members": list(team.group.user_set.values_list("pk", flat=True)),
        }
    form = TeamForm(
        request.POST or None, company_id=company.pk, team=team, initial=initial
    )
    saved, conflict = False, None
    result = {}
    if request.method == "POST" and form.is_valid():

        def write():
            result["team"] = services.team_save(
                actor=request.user,
                company=company,
                team=team,
                version=form.cleaned_data.get("version"),
                name=form.cleaned_data["name"],
                manager=form.cleaned_data["manager"],
                members=form.cleaned_data["members"],
            )

        saved, conflict = _save(form, write)
    if saved:
        messages.success(request, _("Changes saved."))
        return redirect(result["team"].get_absolute_url())
    return render(
        request,
        "accounts/team_form.html",
        {"form": form, "team": team, "conflict": conflict},
        status=_status(request, conflict),
    )
