"""Pages of cases. Thin: parse the form, authorize through a selector (404 for
what the user may not see), call one service, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import roles
from accounts.permissions import has_role, role_required
from core.errors import DomainError
from core.history import history_page
from core.versioning import StaleEdit
from crm import selectors as crm_selectors
from crm.forms import InteractionForm
from service import case_selectors, cases, followups, ratings
from service.case_forms import (
    CaseFilterForm,
    CaseForm,
    CaseStatusForm,
    ServiceSettingsForm,
)
from service.forms import TaskForm
from service.models import Case

customer_roles = role_required(roles.CUSTOMER_ROLES)
edit_roles = role_required(roles.CUSTOMER_EDIT_ROLES)


def _require_edit_role(request) -> None:
    """Reading roles (the DPO) may open every case but change none: 403 before
    the record is looked up, so another team's record stays a 404."""
    if not has_role(request.user, roles.CUSTOMER_EDIT_ROLES):
        raise PermissionDenied


def _status(request, conflict=None) -> int:
    """409 for a refused stale save, 400 for a refused form, else 200."""
    if conflict is not None:
        return 409
    return 400 if request.method == "POST" else 200


def _create(form: CaseForm, actor) -> Case | None:
    """The case of a valid form, or None with the service's errors on the form."""
    if not form.is_valid():
        return None
    try:
        return cases.case_create(
            actor=actor, customer=form.customer, fields=form.case_fields()
        )
    except ValidationError as error:
        form.add_errors(error)
    except DomainError as error:
        if isinstance(error, StaleEdit):
            raise
        form.add_error(None, error.message)
    return None


@customer_roles
@require_GET
def case_list(request) -> HttpResponse:
    """The cases of the customers the user may see, filtered."""
    form = CaseFilterForm(request.GET or None, user=request.user)
    now = timezone.now()
    page = case_selectors.case_page(
        user=request.user,
        filters=form.filters(),
        now=now,
        number=request.GET.get("page"),
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "service/case_list.html",
        {"form": form, "page": page, "query": query.urlencode(), "now": now},
    )


@edit_roles
@require_http_methods(["GET", "POST"])
def case_new(request) -> HttpResponse:
    """A case for a customer named by its number (from the case list)."""
    if request.method == "POST":
        form = CaseForm(request.POST, user=request.user)
        case = _create(form, request.user)
        if case is not None:
            messages.success(
                request, _("Case %(number)s saved.") % {"number": case.number}
            )
            return redirect(case)
    else:
        form = CaseForm(user=request.user)
    return render(
        request,
        "service/case_new.html",
        {"form": form, "customer": None},
        status=_status(request),
    )


@edit_roles
@require_http_methods(["GET", "POST"])
def customer_case_new(request, pk: int) -> HttpResponse:
    """A case of this customer (from the customer page)."""
    customer = crm_selectors.customer_get(user=request.user, pk=pk, perm="change")
    if request.method == "POST":
        form = CaseForm(request.POST, customer=customer, user=request.user)
        case = _create(form, request.user)
        if case is not None:
            messages.success(
                request, _("Case %(number)s saved.") % {"number": case.number}
            )
            return redirect(case)
    else:
        initial = {}
        if request.GET.get("kind"):
            initial["kind"] = request.GET["kind"]
        form = CaseForm(customer=customer, user=request.user, initial=initial)
    return render(
        request,
        "service/case_new.html",
        {"form": form, "customer": customer},
        status=_status(request),
    )


def _timeline(case: Case, user) -> list[dict]:
    """The case's own timeline: its changes and the contacts logged on it,
    newest first."""
    hidden = crm_selectors.hidden_persons(user=user, customer_id=case.customer_id)
    entries, _more = history_page([Case.history.filter(id=case.pk)], hidden=hidden)
    contacts = (
        case.interactions.filter(customer_id=case.customer_id)
        .select_related("user")
        .order_by("-occurred_at", "-id")[:100]
    )
    rows = [{"when": entry.when, "change": entry} for entry in entries]
    rows += [{"when": item.occurred_at, "contact": item} for item in contacts]
    rows.sort(key=lambda row: row["when"], reverse=True)
    return rows


def _detail(request, case: Case, **extra) -> HttpResponse:
    language = get_language() or "de"
    can_edit = case_selectors.case_editable(user=request.user, case=case)
    allowed = cases.allowed_statuses(case) if can_edit else []
    context = {
        "case": case,
        "clock": cases.clock_view(case, language=language),
        "warranty": cases.warranty_of(case, language=language),
        "timeline": _timeline(case, request.user),
        "ratings": ratings.case_ratings(case),
        "tasks": list(
            case.tasks.open()
            .select_related("assignee")
            .order_by("due_on", "due_at", "id")
        ),
        "task_form": None,
        "now": timezone.now(),
        "can_edit": can_edit,
        "form": None,
        "status_form": None,
        "contact_form": None,
        "conflict": None,
    }
    if can_edit:
        context["form"] = CaseForm(customer=case.customer, user=request.user, case=case)
        if allowed:
            context["status_form"] = CaseStatusForm(case=case, allowed=allowed)
        if case.is_open:
            context["contact_form"] = InteractionForm(customer=case.customer)
            context["task_form"] = TaskForm(
                customer=case.customer,
                user=request.user,
                initial={"person": case.person_id, "contract": case.contract_id},
            )
    context.update(extra)
    return render(
        request,
        "service/case_detail.html",
        context,
        status=_status(request, context["conflict"]),
    )


@customer_roles
@require_http_methods(["GET", "POST"])
def case_detail(request, pk: int) -> HttpResponse:
    """The case: its fields, the SLA clock with its explanation, the warranty
    check of a claim, its timeline; POST saves its fields."""
    if request.method == "GET":
        return _detail(request, case_selectors.case_get(user=request.user, pk=pk))
    _require_edit_role(request)
    case = case_selectors.case_get(user=request.user, pk=pk, perm="change")
    form = CaseForm(request.POST, customer=case.customer, user=request.user, case=case)
    conflict = None
    if form.is_valid():
        try:
            cases.case_update(
                case=case,
                actor=request.user,
                version=form.cleaned_data["version"],
                fields=form.case_fields(),
            )
        except StaleEdit as stale:
            conflict = stale.changes
        except ValidationError as error:
            form.add_errors(error)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Case saved."))
            return redirect(case)
    return _detail(request, case, form=form, conflict=conflict, edit_open=True)


@customer_roles
@require_POST
def case_status(request, pk: int) -> HttpResponse:
    """Move the case to another status (and ask for a rating on resolving)."""
    _require_edit_role(request)
    case = case_selectors.case_get(user=request.user, pk=pk, perm="change")
    form = CaseStatusForm(request.POST, case=case, allowed=cases.allowed_statuses(case))
    conflict = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            case = cases.case_set_status(
                case=case,
                actor=request.user,
                version=data["version"],
                status=data["status"],
                resolution=data["resolution"] if data["status"] == "resolved" else None,
            )
        except StaleEdit as stale:
            conflict = stale.changes
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Status: %(status)s.") % {"status": case.get_status_display()},
            )
            if data["status"] == "resolved" and data["ask_rating"]:
                _ask_rating(request, case)
            return redirect(case)
    return _detail(request, case, status_form=form, conflict=conflict)


def _ask_rating(request, case: Case) -> None:
    """Ask the contact for a rating of the resolved case; a refusal (objection,
    no address, ...) is a warning: the case stays resolved."""
    try:
        ratings.rating_request(case=case, actor=request.user)
    except DomainError as error:
        messages.warning(request, error.message)
    else:
        messages.success(request, _("The contact person is asked for a rating."))


@customer_roles
@require_POST
def case_contact(request, pk: int) -> HttpResponse:
    """Log a call, e-mail, ... on the case (and so on the customer's timeline)."""
    _require_edit_role(request)
    case = case_selectors.case_get(user=request.user, pk=pk, perm="change")
    form = InteractionForm(request.POST, customer=case.customer)
    if form.is_valid():
        data = dict(form.cleaned_data)
        persons = data.pop("persons", [])
        try:
            cases.case_log_contact(
                case=case, actor=request.user, fields=data, persons=persons
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Contact saved."))
            return redirect(case)
    return _detail(request, case, contact_form=form, contact_open=True)


@role_required(roles.ADMIN_ROLES)
@require_http_methods(["GET", "POST"])
def service_settings(request) -> HttpResponse:
    """The company's SLA targets by priority and its case categories (Admin)."""
    from service.models import CaseCategory

    company_id = request.user.company_id
    categories = list(CaseCategory.objects.filter(company_id=company_id))
    form = ServiceSettingsForm(
        request.POST or None,
        targets=cases.targets_table(company_id),
        categories=categories,
    )
    if request.method == "POST" and form.is_valid():
        try:
            moved = cases.service_settings_save(
                actor=request.user, company_id=company_id, **form.settings()
            )
        except ValidationError as error:
            form.add_errors(error)
        else:
            messages.success(
                request,
                _("Service settings saved; %(count)s open cases re-timed.")
                % {"count": moved},
            )
            return redirect("service:settings")
    return render(
        request,
        "service/settings.html",
        {"form": form},
        status=_status(request),
    )


@customer_roles
@require_POST
def case_task(request, pk: int) -> HttpResponse:
    """A follow-up task on the case (call back on Friday, send a part)."""
    _require_edit_role(request)
    case = case_selectors.case_get(user=request.user, pk=pk, perm="change")
    form = TaskForm(request.POST, customer=case.customer, user=request.user)
    if form.is_valid():
        try:
            followups.task_create(
                actor=request.user,
                customer=case.customer,
                case=case,
                **form.task_fields(),
            )
        except ValidationError as error:
            form.add_errors(error)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Task saved."))
            return redirect(case)
    return _detail(request, case, task_form=form, task_open=True)
