"""Contract pages: thin, authorized through the customer's visibility (404)."""

import calendar as pycalendar
from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import roles
from accounts.permissions import has_role, role_required
from accounts.services import access_paused, commitment_needed
from contracts import calendar, reminders, selectors, services
from contracts.forms import (
    ContractFilterForm,
    ContractForm,
    DeadlineCalculatorForm,
    DocumentForm,
    NoticeForm,
)
from contracts.models import (
    CalendarFeed,
    Contract,
    ContractDocument,
    ContractStatus,
    ContractType,
    DocumentVersion,
    Notice,
    Reminder,
)
from core import access as data_access
from core.errors import NotPossible, PermissionRefused
from core.history import history_page
from core.holidays import holiday_names
from core.params import int_param, month_param
from core.versioning import StaleEdit
from crm import cards
from crm import selectors as crm_selectors

contract_roles = role_required(roles.CONTRACT_ROLES)
edit_roles = role_required(roles.CUSTOMER_EDIT_ROLES)


@contract_roles
@require_GET
def contract_list(request):
    """Visible contracts with filters, soonest last notice day first."""
    form = ContractFilterForm(request.GET or None, company=request.user.company_id)
    filters = form.cleaned_data if form.is_valid() else {}
    page = min(int_param(request.GET.get("page"), minimum=1) or 1, selectors.MAX_PAGE)
    start = (page - 1) * selectors.LIST_SIZE
    listed = selectors.contract_list(
        user=request.user, filters=filters, today=timezone.localdate()
    )
    contracts = list(listed[start : start + selectors.LIST_SIZE + 1])
    query = request.GET.copy()
    query.pop("page", None)
    owners, teams = crm_selectors.list_choices(request.user.company_id)
    return render(
        request,
        "contracts/contract_list.html",
        {
            "form": form,
            "contracts": contracts[: selectors.LIST_SIZE],
            # Over every contract the filter selects, not only this page.
            "totals": listed.value_totals() if contracts else [],
            "more": len(contracts) > selectors.LIST_SIZE and page < selectors.MAX_PAGE,
            "page": page,
            "query": query.urlencode(),
            # The filter's selects are written out in the template from cached
            # choices (no widget rendering, no queries); these are their values.
            "owners": owners,
            "teams": teams,
            "types": list(
                ContractType.objects.filter(
                    company_id=request.user.company_id
                ).values_list("pk", "name")
            ),
            "chosen": {
                name: request.GET.get(name, "")
                for name in ("status", "type", "owner", "team", "within_days", "sort")
            },
        },
    )


@contract_roles
@require_GET
def contract_detail(request, pk: int):
    """Terms, computed dates with explanation, the current notice address."""
    contract = selectors.contract_get(user=request.user, pk=pk)
    data_access.record(
        user=request.user,
        action="view",
        what=contract.number,
        customer_id=contract.customer_id,
    )
    report = selectors.deadline_report(
        contract.terms, today=timezone.localdate(), language=get_language(), ahead=True
    )
    notices = list(contract.notices.select_related("recorded_by"))
    access = crm_selectors.customer_access(
        user=request.user, customer=contract.customer
    )
    context = {
        "contract": contract,
        "result": report.result,
        "explanation": report.explanation,
        "problems": report.problems,
        "notice_address": contract.notice_address(),
        "persons": list(contract.persons.shown_to(request.user)),
        "notices": notices,
        # Once notice is recorded (or the contract ended) the panel says what now
        # happens, not what a notice received today would do.
        "notice_in_force": notices[0]
        if notices and contract.status == ContractStatus.NOTICE_GIVEN
        else None,
        "reminders": list(
            contract.reminders.select_related("recipient", "digest").order_by(
                "-deadline", "-lead_days", "recipient_id"
            )
        ),
        "documents": list(contract.documents.prefetch_related("versions__uploaded_by")),
        "document_form": DocumentForm(contract=contract) if access.can_edit else None,
        "can_edit": access.can_edit,
        # e.g. "new task" of service (crm.cards.register_record_action)
        "record_actions": cards.record_actions("contract")
        if access.can_edit and contract.customer.restricted_until is None
        else [],
        "tab": "overview",
    }
    return render(request, "contracts/contract_detail.html", context)


@edit_roles
@require_http_methods(["GET", "POST"])
def contract_new(request):
    """A new contract for a customer the user may edit (?customer=<id>)."""
    customer_pk = int_param(request.GET.get("customer") or request.POST.get("customer"))
    if customer_pk is None:
        messages.info(request, _("Open the customer and add the contract there."))
        return redirect("crm:customer_list")
    customer = crm_selectors.customer_get(
        user=request.user, pk=customer_pk, perm="change"
    )
    today = timezone.localdate()
    form = ContractForm(
        request.POST or None,
        customer=customer,
        initial={"owner": request.user.pk, "concluded_on": today, "start": today},
    )
    if request.method == "POST" and form.is_valid():
        contract = services.contract_create(
            customer=customer,
            actor=request.user,
            fields=form.model_fields(),
            persons=form.cleaned_data["persons"],
            today=today,
        )
        messages.success(
            request, _("Contract %(number)s created.") % {"number": contract.number}
        )
        return redirect(contract)
    return render(
        request, "contracts/contract_form.html", {"form": form, "customer": customer}
    )


@edit_roles
@require_http_methods(["GET", "POST"])
def contract_edit(request, pk: int):
    """Edit the terms; a save based on an old version is refused."""
    contract = selectors.contract_get(user=request.user, pk=pk, perm="change")
    form = ContractForm(
        request.POST or None, instance=contract, customer=contract.customer
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data.get("version")
        if version is None:
            form.add_error(None, _("The form is incomplete; reload the page."))
        else:
            try:
                services.contract_update(
                    contract=contract,
                    actor=request.user,
                    version=version,
                    fields=form.model_fields(),
                    persons=form.cleaned_data["persons"],
                    today=timezone.localdate(),
                )
            except StaleEdit as stale:
                conflict = stale.changes
            else:
                messages.success(request, _("Changes saved."))
                return redirect(contract)
    status = 409 if conflict is not None else (400 if request.method == "POST" else 200)
    return render(
        request,
        "contracts/contract_form.html",
        {
            "form": form,
            "customer": contract.customer,
            "contract": contract,
            "conflict": conflict,
        },
        status=status,
    )


@edit_roles
@require_http_methods(["GET", "POST"])
def contract_notice(request, pk: int):
    """Record a notice; one that is too late is refused with the next possible end."""
    contract = selectors.contract_get(user=request.user, pk=pk, perm="change")
    form = NoticeForm(request.POST or None, version=contract.version)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            notice = services.contract_give_notice(
                contract=contract,
                actor=request.user,
                version=form.cleaned_data["version"],
                given_by=form.cleaned_data["given_by"],
                channel=form.cleaned_data["channel"],
                received_at=form.cleaned_data["received_at"],
                wanted_end=form.cleaned_data["wanted_end"],
                confirmation_sent_at=form.cleaned_data["confirmation_sent_at"],
                note=form.cleaned_data["note"],
            )
        except StaleEdit as stale:
            conflict = stale.changes
        except NotPossible as refused:
            form.add_error(None, refused.message)
        except services.LateNotice as late:
            form.add_error("wanted_end", late.message)
        else:
            messages.success(
                request,
                _("Notice recorded: the contract ends on %(day)s.")
                % {"day": date_format(notice.ends_on, "SHORT_DATE_FORMAT")},
            )
            return redirect(contract)
    return render(
        request,
        "contracts/notice_form.html",
        {"form": form, "contract": contract, "conflict": conflict},
        status=409
        if conflict is not None
        else (400 if form.is_bound and form.errors else 200),
    )


@edit_roles
@require_POST
def document_upload(request, pk: int):
    """Upload a document (or its next version) to a contract the user may edit."""
    contract = selectors.contract_get(user=request.user, pk=pk, perm="change")
    form = DocumentForm(request.POST, request.FILES, contract=contract)
    if form.is_valid():
        version = services.document_upload(
            contract=contract,
            actor=request.user,
            upload=form.cleaned_data["file"],
            checked=form.checked,
            title=form.cleaned_data["title"],
            document=form.cleaned_data["document"],
        )
        messages.success(
            request, _("%(name)s uploaded.") % {"name": version.document.title}
        )
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect(contract)


@contract_roles
@require_GET
def document_download(request, pk: int, version_pk: int):
    """A document version, as an attachment only (never shown inline), and logged."""
    contract = selectors.contract_get(user=request.user, pk=pk)
    version = (
        DocumentVersion.objects.filter(document__contract=contract, pk=version_pk)
        .select_related("document")
        .first()
    )
    if version is None:
        raise Http404
    data_access.record(
        user=request.user,
        action="download",
        what=f"{contract.number} #{version.pk}",
        customer_id=contract.customer_id,
    )
    response = FileResponse(
        version.file.open("rb"),
        as_attachment=True,
        filename=version.original_name,
        content_type=version.content_type,
    )
    # Even if a browser tried to render it: no scripts, no plugins, no same origin.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@contract_roles
@require_GET
def contract_history(request, pk: int):
    """Who changed which term from what to what, and when."""
    contract = selectors.contract_get(user=request.user, pk=pk)
    data_access.record(
        user=request.user,
        action="view",
        what=contract.number,
        customer_id=contract.customer_id,
    )
    entries, _more = history_page(
        [
            Contract.history.filter(id=contract.pk),
            Notice.history.filter(contract_id=contract.pk),
            ContractDocument.history.filter(contract_id=contract.pk),
        ],
        # Persons restricted under Art. 18 are named in no change either.
        hidden=crm_selectors.hidden_persons(
            user=request.user, customer_id=contract.customer_id
        ),
    )
    return render(
        request,
        "contracts/contract_history.html",
        {"contract": contract, "entries": entries, "tab": "history"},
    )


@contract_roles
@require_GET
def deadline_calendar(request):
    """Month view of the last notice days and term ends the user may see."""
    today = timezone.localdate()
    first = month_param(request.GET.get("month")) or today.replace(day=1)
    weeks = pycalendar.Calendar(firstweekday=0).monthdatescalendar(
        first.year, first.month
    )
    start, end = weeks[0][0], weeks[-1][-1]
    contracts = (
        Contract.objects.across_visible(request.user)
        .running()
        .filter(
            Q(last_notice_day__range=(start, end)) | Q(term_end__range=(start, end))
        )
        .select_related("customer")
        .order_by("customer__name", "id")
    )
    events: dict[date, list] = {}
    for contract in contracts:
        if contract.last_notice_day and start <= contract.last_notice_day <= end:
            events.setdefault(contract.last_notice_day, []).append(("notice", contract))
        if contract.term_end and start <= contract.term_end <= end:
            events.setdefault(contract.term_end, []).append(("end", contract))
    previous = (first - timedelta(days=1)).replace(day=1)
    following = (first + timedelta(days=31)).replace(day=1)
    holidays = holiday_names(
        start, end, language=get_language(), company=request.user.company
    )
    context = {
        "first": first,
        "today": today,
        "weeks": [
            [(day, events.get(day, []), holidays.get(day)) for day in week]
            for week in weeks
        ],
        # The month's entries as a list: the phone's view of the same calendar.
        "agenda": [
            (day, events.get(day, []), holidays.get(day))
            for day in sorted(events.keys() | holidays.keys())
            if day.month == first.month
        ],
        "previous": f"{previous:%Y-%m}",
        "following": f"{following:%Y-%m}",
    }
    return render(request, "contracts/deadline_calendar.html", context)


@contract_roles
@require_http_methods(["GET", "POST"])
def reminder_acknowledge(request, pk: int):
    """From the e-mail's link: confirm that someone takes care of the deadline."""
    reminder = (
        Reminder.objects.filter(
            pk=pk, contract__in=Contract.objects.visible_to(request.user)
        )
        .select_related("contract")
        .first()
    )
    if reminder is None:
        raise Http404
    if request.method == "POST":
        try:
            reminders.reminder_acknowledge(reminder=reminder, actor=request.user)
        except PermissionRefused as refused:
            messages.error(request, refused.message)
            return render(
                request,
                "contracts/reminder_acknowledge.html",
                {"reminder": reminder, "refused": True},
                status=403,
            )
        messages.success(request, _("Deadline acknowledged; no more escalation."))
        return redirect(reminder.contract)
    return render(
        request, "contracts/reminder_acknowledge.html", {"reminder": reminder}
    )


FEED_PAST_DAYS = 90
FEED_FUTURE_DAYS = 2 * 365


@contract_roles
@require_http_methods(["GET", "POST"])
def calendar_feed_settings(request):
    """The user's personal calendar URL; "renew" makes a new one, revoking the old."""
    if request.method == "POST":
        services.calendar_feed_renew(user=request.user)
        messages.success(
            request, _("New calendar address made; the old one is revoked.")
        )
        return redirect("contracts:calendar_feed_settings")
    feed = services.calendar_feed_for(user=request.user)
    url = request.build_absolute_uri(
        reverse("contracts:calendar_feed", args=[feed.token])
    )
    return render(request, "contracts/calendar_feed.html", {"feed_url": url})


@login_not_required
@require_GET
def calendar_feed(request, token: str):
    """iCalendar of the deadlines the token's user may see; unknown token: 404."""
    feed = (
        CalendarFeed.objects.select_related("user", "company")
        .filter(token=token, user__is_active=True)
        .first()
    )
    if feed is None:
        raise Http404
    # The feed lists its own company's deadlines, whichever company its user
    # works in now; nothing when they are no longer a member of it, nor before
    # they accepted the company's current confidentiality commitment.
    feed.user.company_id, feed.user.company = feed.company_id, feed.company
    if not has_role(feed.user, roles.CONTRACT_ROLES) or commitment_needed(feed.user):
        raise Http404
    today = timezone.localdate()
    if access_paused(feed.user, today=today):  # a higher app's gate
        raise Http404
    start, end = today - timedelta(FEED_PAST_DAYS), today + timedelta(FEED_FUTURE_DAYS)
    rows = (
        Contract.objects.across_visible(feed.user)
        .running()
        .filter(
            Q(last_notice_day__range=(start, end)) | Q(term_end__range=(start, end))
        )
        .order_by("last_notice_day", "id")
        .values_list(
            "pk", "title", "last_notice_day", "term_end",
            "customer__kind", "customer__name", "customer__number",
        )
    )  # fmt: skip
    page = reverse("contracts:contract_detail", args=[0]).replace("/0/", "/{pk}/")
    with translation.override(feed.user.language):  # the subscriber's language
        body = calendar.feed(
            (calendar.FeedContract(*row) for row in rows.iterator(chunk_size=2000)),
            url=request.build_absolute_uri("/").rstrip("/") + page,
            domain=request.get_host().split(":")[0],
        )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="vertragsfristen.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response


@role_required(roles.CONTRACT_ROLES)
@require_GET
def deadline_calculator(request):
    """Deadlines for any terms, with the explanation (support staff's calculator)."""
    form = DeadlineCalculatorForm(request.GET or None)
    context = {"form": form, "calculator": True}
    if form.is_valid():
        report = selectors.deadline_report(
            form.terms(),
            today=form.day(),
            language=get_language(),
            land=form.cleaned_data["land"] or None,
            received=form.cleaned_data["received"],
        )
        context.update(
            {
                "result": report.result,
                "explanation": report.explanation,
                "problems": report.problems,
                "received": report.received,
                "end_for_received": report.end_for_received,
            }
        )
    return render(request, "contracts/deadline_calculator.html", context)
