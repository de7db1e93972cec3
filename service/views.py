"""The support staff's calculators (SLA, warranty), on the company's calendar."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from accounts import roles
from accounts.forms import WEEKDAYS
from accounts.models import Company
from accounts.permissions import role_required
from core.holidays import company_holidays
from service import sla, warranty
from service.calendars import company_calendar
from service.forms import SlaCalculatorForm, WarrantyCalculatorForm


@role_required(roles.CUSTOMER_ROLES)
@require_GET
def sla_calculator(request):
    """When a target of N business hours is due, in the company's business hours
    and its Land's holidays, with the explanation."""
    company = get_object_or_404(Company, pk=request.user.company_id)
    form = SlaCalculatorForm(request.GET or None)
    names = dict(WEEKDAYS)
    context = {
        "form": form,
        "company": company,
        "days": ", ".join(str(names[day]) for day in sorted(company.business_days)),
    }
    if form.is_valid():
        opened = form.cleaned_data["opened"]
        calendar = company_calendar(
            company,
            years=range(opened.year - 1, opened.year + 3),
            language=get_language(),
        )
        result = sla.due(opened, form.target(), calendar, form.pauses())
        context.update(
            result=result,
            explanation=sla.explain(result, calendar, get_language()),
        )
    return render(request, "service/sla_calculator.html", context)


@role_required(roles.CUSTOMER_ROLES)
@require_GET
def warranty_calculator(request):
    """Whether a warranty claim still runs and until when, with the reasons;
    § 193 BGB with the holidays of the company's Land."""
    company = get_object_or_404(Company, pk=request.user.company_id)
    form = WarrantyCalculatorForm(request.GET or None)
    context = {"form": form, "company": company}
    if form.is_valid():
        claim = form.claim()
        # public holidays around the period's last day (§ 193 may move it)
        holidays = company_holidays(warranty.last_day(claim).year, company)
        result = warranty.warranty(claim, holidays)
        today = form.day()
        context.update(
            result=result,
            today=today,
            runs=result.runs_on(today),
            presumed=result.presumed_on(today),
            explanation=warranty.explain(result, get_language()),
        )
    return render(request, "service/warranty_calculator.html", context)
