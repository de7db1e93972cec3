"""Pages of follow-up tasks. Thin: parse the form, authorize through a selector
(404 for what the user may not see), call one service, render."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import roles
from accounts.permissions import has_role, role_required
from core.errors import DomainError
from core.history import history_page
from core.versioning import StaleEdit
from crm import selectors as crm_selectors
from service import followups, selectors
from service.forms import TaskFilterForm, TaskForm
from service.models import Task

customer_roles = role_required(roles.CUSTOMER_ROLES)
edit_roles = role_required(roles.CUSTOMER_EDIT_ROLES)


def _require_edit_role(request) -> None:
    """Reading roles (the DPO) may open every task but change none: 403 before
    the record is looked up, so another team's record stays a 404."""
    if not has_role(request.user, roles.CUSTOMER_EDIT_ROLES):
        raise PermissionDenied


def _create(form: TaskForm, actor) -> Task | None:
    """The task of a valid form, or None with the service's errors on the form."""
    if not form.is_valid():
        return None
    try:
        return followups.task_create(
            actor=actor, customer=form.customer, **form.task_fields()
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
def task_list(request) -> HttpResponse:
    """The tasks of the customers the user may see, filtered, by due day."""
    form = TaskFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    today = timezone.localdate()
    page = selectors.task_page(
        user=request.user, filters=filters, today=today, number=request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "service/task_list.html",
        {"form": form, "page": page, "query": query.urlencode(), "today": today},
    )


@edit_roles
@require_http_methods(["GET", "POST"])
def task_new(request) -> HttpResponse:
    """A task for a customer named by its number (from the task list)."""
    initial = {"title": request.GET.get("title", "")}
    if request.method == "POST":
        form = TaskForm(request.POST, user=request.user)
        task = _create(form, request.user)
        if task is not None:
            messages.success(request, _("Task saved."))
            return redirect(task)
    else:
        form = TaskForm(user=request.user, initial=initial)
    status = 400 if request.method == "POST" else 200
    return render(request, "service/task_new.html", {"form": form}, status=status)


@customer_roles
@require_http_methods(["GET", "POST"])
def customer_tasks(request, pk: int) -> HttpResponse:
    """GET the customer's tasks card with the form to add one (?callback: a call
    back, prefilled); POST adds a task. htmx gets the card, a plain request the
    page (or, after a POST, the customer page)."""
    if request.method == "GET":
        customer = crm_selectors.customer_get(user=request.user, pk=pk)
        access = crm_selectors.customer_access(user=request.user, customer=customer)
        initial = {
            # from a person's or a contract's page (the form offers only the
            # customer's own: another id is simply not chosen)
            name: request.GET[name]
            for name in ("person", "contract")
            if request.GET.get(name, "").isdigit()
        }
        if "callback" in request.GET:
            initial |= {
                "title": _("Call back"),
                "due_on": timezone.localdate() + timedelta(days=1),
            }
        form = TaskForm(customer=customer, user=request.user, initial=initial)
        card = selectors.customer_tasks_card(
            user=request.user, customer=customer, access=access, form=form
        )
        return _card(request, customer, card, open_form=True)
    _require_edit_role(request)
    customer = crm_selectors.customer_get(user=request.user, pk=pk, perm="change")
    access = crm_selectors.customer_access(user=request.user, customer=customer)
    form = TaskForm(request.POST, customer=customer, user=request.user)
    task = _create(form, request.user)
    if task is not None and not request.htmx:
        messages.success(request, _("Task saved."))
        return redirect(customer)
    card = selectors.customer_tasks_card(
        user=request.user,
        customer=customer,
        access=access,
        form=None if task else form,
        saved=task is not None,
    )
    status = 200 if task is not None else 400
    return _card(request, customer, card, open_form=task is None, status=status)


def _card(request, customer, card, *, open_form: bool, status: int = 200):
    template = (
        "service/_customer_tasks.html"
        if request.htmx
        else "service/customer_tasks.html"
    )
    context = {"customer": customer, "card": card, "open": open_form}
    return render(request, template, context, status=status)


@customer_roles
@require_http_methods(["GET", "POST"])
def task_detail(request, pk: int) -> HttpResponse:
    """The task: its fields to change (for who may change the customer) and its
    history."""
    task = selectors.task_get(user=request.user, pk=pk)
    can_edit = selectors.task_editable(user=request.user, task=task)
    conflict = None
    form = TaskForm(customer=task.customer, user=request.user, task=task)
    if request.method == "POST":
        _require_edit_role(request)
        task = selectors.task_get(user=request.user, pk=pk, perm="change")
        form = TaskForm(
            request.POST, customer=task.customer, user=request.user, task=task
        )
        if form.is_valid():
            try:
                followups.task_update(
                    task=task,
                    actor=request.user,
                    version=form.cleaned_data["version"],
                    **form.task_fields(),
                )
            except StaleEdit as stale:
                conflict = stale.changes
            except ValidationError as error:
                form.add_errors(error)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Task saved."))
                return redirect(task)
    entries, _more = history_page(
        [Task.history.filter(id=task.pk)],
        hidden=crm_selectors.hidden_persons(
            user=request.user, customer_id=task.customer_id
        ),
    )
    status = _status(request, conflict)
    return render(
        request,
        "service/task_detail.html",
        {
            "task": task,
            "form": form if can_edit else None,
            "entries": entries,
            "conflict": conflict,
        },
        status=status,
    )


def _status(request, conflict) -> int:
    """409 for a refused stale save, 400 for a refused form, else 200."""
    if conflict is not None:
        return 409
    return 400 if request.method == "POST" else 200


@customer_roles
@require_POST
def task_complete(request, pk: int) -> HttpResponse:
    """Mark done; back to where the button was (the `next` of this site)."""
    _require_edit_role(request)
    task = selectors.task_get(user=request.user, pk=pk, perm="change")
    followups.task_complete(task=task, actor=request.user)
    messages.success(request, _("Task done."))
    return _back(request, task)


@customer_roles
@require_POST
def task_reopen(request, pk: int) -> HttpResponse:
    _require_edit_role(request)
    task = selectors.task_get(user=request.user, pk=pk, perm="change")
    followups.task_reopen(task=task, actor=request.user)
    messages.success(request, _("Task open again."))
    return _back(request, task)


def _back(request, task: Task) -> HttpResponse:
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(reverse("service:task_detail", args=[task.pk]))
