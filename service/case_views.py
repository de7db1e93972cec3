"""Pages of cases. Thin: parse the form, authorize through a selector (404 for
what the user may not see), call one service, render."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods

from accounts import roles
from accounts.permissions import role_required
from core.history import history_page
from crm import selectors as crm_selectors
from service import case_selectors, cases
from service.models import Case

customer_roles = role_required(roles.CUSTOMER_ROLES)
edit_roles = role_required(roles.CUSTOMER_EDIT_ROLES)


@customer_roles
@require_http_methods(["GET"])
def case_detail(request, pk: int) -> HttpResponse:
    """The case: its fields, the SLA clock with its explanation, the warranty
    check of a claim, and its timeline (history and contacts)."""
    case = case_selectors.case_get(user=request.user, pk=pk)
    language = get_language() or "de"
    entries, _more = history_page(
        [Case.history.filter(id=case.pk)],
        hidden=crm_selectors.hidden_persons(
            user=request.user, customer_id=case.customer_id
        ),
    )
    context = {
        "case": case,
        "clock": cases.clock(case, language=language) if case.is_open else None,
        "warranty": cases.warranty_of(case, language=language),
        "entries": entries,
        "now": timezone.now(),
        "can_edit": case_selectors.case_editable(user=request.user, case=case),
    }
    return render(request, "service/case_detail.html", context)
