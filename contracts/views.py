import holidays
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from accounts import roles
from accounts.permissions import role_required
from contracts import deadlines as engine
from contracts.forms import DeadlineCalculatorForm


@role_required(roles.CONTRACT_ROLES)
def contract_list(request):
    """The contract list (the contracts issue fills it)."""
    return render(request, "contracts/contract_list.html")


@role_required(roles.CONTRACT_ROLES)
@require_GET
def deadline_calculator(request):
    """Deadlines for any terms, with the explanation (support staff's calculator)."""
    form = DeadlineCalculatorForm(request.GET or None)
    context = {"form": form}
    if form.is_valid():
        terms, today = form.terms(), form.day()
        public_holidays = holidays.country_holidays(
            "DE",
            subdiv=form.cleaned_data["land"] or None,
            years=range(today.year - 1, today.year + 6),
        )
        result = engine.deadlines(terms, today=today, holidays=public_holidays)
        language = get_language()
        received = form.cleaned_data["received"]
        context.update(
            {
                "result": result,
                "explanation": engine.explain(result.steps, language),
                "problems": engine.explain(engine.consumer_problems(terms), language),
                "received": received,
                "end_for_received": engine.end_for_notice(terms, received=received)
                if received
                else None,
            }
        )
    return render(request, "contracts/deadline_calculator.html", context)
