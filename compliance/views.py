"""The DPO's pages: dashboard, Art. 30 register, requests, access log.

Only the DPO and Admin may use them (role_required answers 403 to others).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import roles
from accounts.permissions import role_required
from compliance import freetext, selectors, services
from compliance import trainings as training_services
from compliance.erasure import erasure_plan
from compliance.forms import (
    AccessLogFilterForm,
    CloseForm,
    ConsentForm,
    DisclosureForm,
    ErasureConfirmForm,
    ExtendForm,
    IdentityCheckForm,
    ProcessingActivityForm,
    RequestFilterForm,
    RequestForm,
    RequestUpdateForm,
    RetentionRuleForm,
    TrainingForm,
)
from compliance.models import (
    AccessReport,
    Consent,
    ConsentStatus,
    ProcessingActivity,
    ReportStatus,
    Training,
)
from core import access as data_access
from core.dates import add_months
from core.history import history_page
from core.params import int_param, version_param
from core.versioning import StaleEdit

dpo_only = role_required(roles.COMPLIANCE_ROLES)
customer_roles = role_required(roles.CUSTOMER_ROLES)


@dpo_only
@require_GET
def index(request):
    """The DPO's dashboard: requests by due date, what needs attention."""
    today = timezone.localdate()
    company = request.user.company_id
    context = {
        "today": today,
        "counts": selectors.request_counts(company=company, today=today),
        "requests": list(selectors.request_list(company=company, filters={})[:10]),
        **selectors.dashboard(company=company, today=today),
        "trainings": selectors.training_summary(company=company, today=today),
    }
    return render(request, "compliance/index.html", context)


# --- Art. 30 register --------------------------------------------------------------


@dpo_only
@require_GET
def activity_list(request):
    activities = ProcessingActivity.objects.filter(
        company_id=request.user.company_id
    ).order_by("-active", "name")
    return render(request, "compliance/activity_list.html", {"activities": activities})


@dpo_only
@require_http_methods(["GET", "POST"])
def activity_edit(request, pk: int | None = None):
    """Add or change an entry of the register; stale saves are refused (409)."""
    activity = (
        get_object_or_404(ProcessingActivity, company_id=request.user.company_id, pk=pk)
        if pk
        else None
    )
    form = ProcessingActivityForm(request.POST or None, instance=activity)
    conflict = None
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        try:
            if activity is None:
                services.activity_create(actor=request.user, fields=fields)
            else:
                services.activity_update(
                    activity=activity,
                    actor=request.user,
                    version=form.cleaned_data["version"] or 0,
                    fields=fields,
                )
        except StaleEdit as stale:
            conflict = stale.changes
        else:
            messages.success(request, _("Changes saved."))
            return redirect("compliance:activity_list")
    status = 409 if conflict else (400 if request.method == "POST" else 200)
    context = {"form": form, "activity": activity, "conflict": conflict}
    if activity is not None:
        context["history"], _more = history_page([activity.history.all()])
    return render(request, "compliance/activity_form.html", context, status=status)


# --- Data-subject requests ---------------------------------------------------------


@dpo_only
@require_GET
def request_list(request):
    form = RequestFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    context = {
        "form": form,
        "requests": selectors.request_list(
            company=request.user.company_id, filters=filters
        ),
        "today": timezone.localdate(),
    }
    return render(request, "compliance/request_list.html", context)


@dpo_only
@require_http_methods(["GET", "POST"])
def request_new(request):
    """Record a request as received; the due date comes from Art. 12(3)."""
    if request.method == "POST":
        form = RequestForm(request.POST, company=request.user.company_id)
        if form.is_valid():
            created = services.request_create(
                actor=request.user, fields=form.service_fields()
            )
            messages.success(
                request,
                _("Request %(number)s recorded; due on %(due)s.")
                % {"number": created.number, "due": _date(created.due_on)},
            )
            return redirect(created)
        person = form.cleaned_data.get("person")
    else:
        # From a person's page: ?person=<id> (an id, no personal data in the URL)
        person_id = int_param(request.GET.get("person"))
        form = RequestForm(company=request.user.company_id)
        person = (
            form.fields["person"].queryset.filter(pk=person_id).first()
            if person_id is not None
            else None
        )
        form = RequestForm(
            company=request.user.company_id,
            initial={
                "received_on": timezone.localdate(),
                "person": person.pk if person else None,
                "subject_name": person.full_name if person else "",
            },
        )
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "compliance/request_form.html",
        {"form": form, "person": person},
        status=status,
    )


def _date(day) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


@dpo_only
@require_GET
def request_detail(request, pk: int):
    data_request = selectors.request_get(company=request.user.company_id, pk=pk)
    return render(
        request,
        "compliance/request_detail.html",
        _request_context(data_request, request),
    )


def _request_context(data_request, request, **forms) -> dict:
    version = {"version": data_request.version}
    context = {
        "req": data_request,
        "today": timezone.localdate(),
        "update_form": RequestUpdateForm(
            initial=version
            | {
                "status": data_request.status,
                "identity_method": data_request.identity_method,
                "note": data_request.note,
            }
        ),
        "extend_form": ExtendForm(initial=version),
        "close_form": CloseForm(initial=version),
        "history": history_page([data_request.history.all()])[0],
        "recipients": services.recipients_of(data_request.person)
        if data_request.person
        else [],
    }
    context.update(forms)
    return context


@dpo_only
@require_POST
def request_update(request, pk: int):
    data_request = selectors.request_get(company=request.user.company_id, pk=pk)
    form = RequestUpdateForm(request.POST)
    if form.is_valid():
        fields = {
            "status": form.cleaned_data["status"],
            "note": form.cleaned_data["note"],
            "identity_method": form.cleaned_data["identity_method"],
        }
        if fields["identity_method"] and not data_request.identity_checked_at:
            fields["identity_checked_at"] = timezone.now()
        return _apply(
            request,
            data_request,
            lambda: services.request_update(
                request=data_request,
                actor=request.user,
                version=form.cleaned_data["version"],
                fields=fields,
            ),
            update_form=form,
        )
    return _invalid(request, data_request, update_form=form)


@dpo_only
@require_POST
def request_extend(request, pk: int):
    data_request = selectors.request_get(company=request.user.company_id, pk=pk)
    form = ExtendForm(request.POST)
    if form.is_valid():
        return _apply(
            request,
            data_request,
            lambda: services.request_extend(
                request=data_request,
                actor=request.user,
                version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
                today=timezone.localdate(),
            ),
            extend_form=form,
        )
    return _invalid(request, data_request, extend_form=form)


@dpo_only
@require_POST
def request_close(request, pk: int):
    data_request = selectors.request_get(company=request.user.company_id, pk=pk)
    form = CloseForm(request.POST)
    if form.is_valid():
        return _apply(
            request,
            data_request,
            lambda: services.request_close(
                request=data_request,
                actor=request.user,
                version=form.cleaned_data["version"],
                status=form.cleaned_data["status"],
                today=timezone.localdate(),
            ),
            close_form=form,
        )
    return _invalid(request, data_request, close_form=form)


def _apply(request, data_request, write, **forms):
    """Run a service; a refusal or a stale version shows on the page, else back."""
    try:
        write()
    except services.RequestRefused as refused:
        context = _request_context(data_request, request, **forms)
        context["refused"] = refused.message
        return render(request, "compliance/request_detail.html", context, status=400)
    except StaleEdit as stale:
        context = _request_context(data_request, request, **forms)
        context["conflict"] = stale.changes
        return render(request, "compliance/request_detail.html", context, status=409)
    messages.success(request, _("Changes saved."))
    return HttpResponseRedirect(
        reverse("compliance:request_detail", args=[data_request.pk])
    )


def _invalid(request, data_request, **forms):
    context = _request_context(data_request, request, **forms)
    return render(request, "compliance/request_detail.html", context, status=400)


# --- Access log --------------------------------------------------------------------


@dpo_only
@require_GET
def access_log(request):
    """Who viewed, exported or printed whose data; filters, newest first."""
    form = AccessLogFilterForm(request.GET or None, company=request.user.company_id)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = selectors.access_log_page(
        company=request.user.company_id,
        filters=filters,
        before=int_param(request.GET.get("before")),
    )
    query = request.GET.copy()
    query.pop("before", None)
    context = {
        "form": form,
        "rows": rows[: selectors.LOG_PAGE],
        "next_before": rows[selectors.LOG_PAGE - 1].pk
        if len(rows) > selectors.LOG_PAGE
        else None,
        "query": query.urlencode(),
    }
    return render(request, "compliance/access_log.html", context)


@dpo_only
@require_http_methods(["GET", "POST"])
def request_erase(request, pk: int):
    """Before confirming, exactly what is erased now and what is held until when.

    Two steps, because erasing cannot be undone: while the identity is not
    checked the page only records that check; then erasing needs an explicit
    confirmation. The service refuses an unchecked identity all the same.
    """
    data_request = selectors.request_get(company=request.user.company_id, pk=pk)
    if data_request.person is None:
        raise Http404
    today = timezone.localdate()
    version = {"version": data_request.version}
    identity_form = IdentityCheckForm(initial=version)
    confirm_form = ErasureConfirmForm(initial=version)
    refused = None
    free_text_errors: dict[str, str] = {}
    step = request.POST.get("step") if request.method == "POST" else None
    if step in ("free_text_clear", "free_text_keep"):
        key = request.POST.get("key", "")
        try:
            if step == "free_text_clear":
                services.request_free_text_clear(
                    request=data_request, actor=request.user, key=key
                )
                messages.success(request, _("The text was cleared."))
            else:
                services.request_free_text_keep(
                    request=data_request,
                    actor=request.user,
                    key=key,
                    reason=request.POST.get("reason", ""),
                )
                messages.success(
                    request, _("The text is kept; the reason is recorded.")
                )
        except services.RequestRefused as refusal:
            free_text_errors[key] = refusal.message
        else:
            return redirect("compliance:request_erase", pk=data_request.pk)
    elif request.method == "POST" and step == "identity":
        identity_form = IdentityCheckForm(request.POST)
        if identity_form.is_valid():
            try:
                services.request_identity_check(
                    request=data_request,
                    actor=request.user,
                    version=identity_form.cleaned_data["version"],
                    method=identity_form.cleaned_data["identity_method"],
                    now=timezone.now(),
                )
            except services.RequestRefused as refusal:
                refused = refusal.message
            except StaleEdit:
                refused = _("The request changed meanwhile; check the plan again.")
            else:
                messages.success(request, _("Identity check recorded."))
                return redirect("compliance:request_erase", pk=data_request.pk)
    elif request.method == "POST":
        confirm_form = ErasureConfirmForm(request.POST)
        if confirm_form.is_valid():
            try:
                erasure = services.request_erase(
                    request=data_request,
                    actor=request.user,
                    version=confirm_form.cleaned_data["version"],
                    today=today,
                )
            except services.RequestRefused as refusal:
                refused = refusal.message
            except StaleEdit:
                refused = _("The request changed meanwhile; check the plan again.")
            else:
                held = erasure.holds.count()
                messages.success(
                    request,
                    _("Erased; %(held)s records stay restricted until their holds end.")
                    % {"held": held}
                    if held
                    else _("Erased completely."),
                )
                return redirect(data_request)
    plan = erasure_plan(data_request.person, today=today)
    decisions = {
        (d.label, d.object_id, d.field): d
        for d in data_request.free_text_decisions.select_related("decided_by")
    }
    context = {
        "req": data_request,
        "plan": plan,
        "free_text": selectors.free_text_rows(
            freetext.matches(data_request.person), decisions, free_text_errors
        ),
        "free_text_decisions": list(decisions.values()),
        "counts": selectors.plan_counts(plan),
        "recipients": services.recipients_of(data_request.person),
        "refused": refused,
        "identity_form": identity_form,
        "confirm_form": confirm_form,
    }
    invalid = refused or free_text_errors or identity_form.errors or confirm_form.errors
    status = 400 if invalid else 200
    return render(request, "compliance/erasure_plan.html", context, status=status)


# --- Access report ------------------------------------------------------------------


@dpo_only
@require_POST
def report_new(request, pk: int):
    """Queue the access report of the request's person (made by a Celery task)."""
    data_request = selectors.request_get(company=request.user.company_id, pk=pk)
    language = request.POST.get("language", "de")
    if language not in {"de", "en"}:
        language = "de"
    try:
        report = services.access_report_request(
            request=data_request, actor=request.user, language=language
        )
    except services.RequestRefused as refusal:
        messages.error(request, refusal.message)
        return redirect(data_request)
    return redirect(report)


@dpo_only
@require_GET
def report_detail(request, pk: int):
    """The report's progress (polled by htmx while it is made) and its downloads."""
    report = get_object_or_404(
        AccessReport.objects.select_related("request", "person"),
        company_id=request.user.company_id,
        pk=pk,
    )
    template = "compliance/report_detail.html"
    if request.htmx:
        template += "#progress"
    return render(request, template, {"report": report})


@dpo_only
@require_GET
def report_download(request, pk: int, kind: str):
    """The PDF or JSON as an attachment; every download is logged."""
    report = get_object_or_404(
        AccessReport,
        company_id=request.user.company_id,
        pk=pk,
        status=ReportStatus.DONE,
    )
    file = report.pdf if kind == "pdf" else report.json
    if not file:
        raise Http404
    data_access.record(
        user=request.user,
        action="export",
        what=f"#{report.pk} {kind.upper()}",
        customer_id=report.person.customer_id if report.person else None,
        person_id=report.person_id,
    )
    number = report.request.number if report.request else report.pk
    response = FileResponse(
        file.open("rb"),
        as_attachment=True,
        filename=f"auskunft-{number}.{kind}",
        content_type="application/pdf" if kind == "pdf" else "application/json",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Consents -------------------------------------------------------------------------


def _person_for(request, person_pk: int, *, perm: str = "view"):
    """The person, when the user may see (or change) their customer; else 404."""
    from crm import selectors as crm_selectors

    return crm_selectors.person_get(user=request.user, pk=person_pk, perm=perm)


@customer_roles
@require_http_methods(["GET", "POST"])
def person_consents(request, person_pk: int):
    """The consent card of a person (htmx): what they agreed to, record a new one."""
    person = _person_for(request, person_pk)
    form = ConsentForm(request.POST or None)
    refused = None
    if request.method == "POST":
        person = _person_for(request, person_pk, perm="change")
        if form.is_valid():
            try:
                services.consent_record(
                    person=person,
                    purpose=form.cleaned_data["purpose"],
                    source=form.cleaned_data["source"],
                    actor=request.user,
                )
            except services.ConsentRefused as refusal:
                refused = refusal.message
            else:
                form = ConsentForm()
    context = {
        "person": person,
        "consents": person.consents.select_related("text", "recorded_by"),
        "form": form,
        "refused": refused,
        "can_edit": _editable(request.user, person),
    }
    status = 400 if refused or (request.method == "POST" and form.errors) else 200
    return render(request, "compliance/_consents.html", context, status=status)


def _editable(user, person) -> bool:
    from crm import policy

    return policy.may_change_person(user, person)


@customer_roles
@require_POST
def consent_withdraw(request, person_pk: int, pk: int):
    """One click for staff: withdraw (the history keeps who and when)."""
    person = _person_for(request, person_pk, perm="change")
    consent = get_object_or_404(person.consents, pk=pk)
    services.consent_withdraw(consent=consent, actor=request.user, via="staff")
    context = {
        "person": person,
        "consents": person.consents.select_related("text", "recorded_by"),
        "form": ConsentForm(),
        "can_edit": True,
    }
    return render(request, "compliance/_consents.html", context)


@login_not_required
@require_http_methods(["GET", "POST"])
def consent_confirm_link(request, token: str):
    """The double opt-in link: a page with a button (link scanners only GET)."""
    consent = get_object_or_404(
        Consent.objects.select_related("text", "company"), confirm_token=token
    )
    refused = None
    if request.method == "POST":
        try:
            consent = services.consent_confirm(token=token, now=timezone.now())
        except services.ConsentRefused as refusal:
            refused = refusal.message
        else:
            if consent.status == ConsentStatus.EXPIRED:
                refused = _("This link has expired; please sign up again.")
    return render(
        request,
        "compliance/consent_confirm.html",
        {"consent": consent, "refused": refused, "company_name": consent.company.name},
        status=400 if refused else 200,
    )


@login_not_required
@csrf_exempt  # RFC 8058 one-click: mail clients POST without a session
@require_http_methods(["GET", "POST"])
def consent_withdraw_link(request, token: str):
    """The withdrawal link in every marketing e-mail: GET asks, POST withdraws."""
    consent = get_object_or_404(
        Consent.objects.select_related("company"), withdraw_token=token
    )
    if request.method == "POST":
        consent = services.consent_withdraw(consent=consent, actor=None, via="link")
    return render(
        request,
        "compliance/consent_withdraw.html",
        {"consent": consent, "company_name": consent.company.name},
    )


@dpo_only
@require_POST
def request_action(request, pk: int, action: str):
    """Carry out a restriction (or lift it) or an objection from the request page."""
    data_request = selectors.request_get(company=request.user.company_id, pk=pk)
    version = request.POST.get("version", "")
    version = version_param(version)
    actions = {
        "restrict": lambda: services.request_restrict(
            request=data_request, actor=request.user, version=version
        ),
        "lift": lambda: services.request_restrict(
            request=data_request, actor=request.user, version=version, lift=True
        ),
        "object": lambda: services.request_object(
            request=data_request, actor=request.user, version=version
        ),
    }
    if action not in actions:
        raise Http404
    return _apply(request, data_request, actions[action])


# --- Retention rules ----------------------------------------------------------------


@dpo_only
@require_http_methods(["GET", "POST"])
def retention_rules(request, pk: int | None = None):
    """The rules with a dry run: whom each would erase today. Add or change one."""
    from compliance.models import RetentionRule
    from compliance.retention import dry_run

    rule = (
        get_object_or_404(RetentionRule, company_id=request.user.company_id, pk=pk)
        if pk
        else None
    )
    form = RetentionRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            if rule is None:
                services.rule_create(actor=request.user, fields=fields)
            else:
                services.rule_update(
                    rule=rule,
                    actor=request.user,
                    version=form.cleaned_data["version"] or 0,
                    fields=fields,
                )
        except StaleEdit:
            messages.error(request, _("Not saved: the rule changed meanwhile."))
        else:
            messages.success(request, _("Changes saved."))
            return redirect("compliance:retention_rules")
    today = timezone.localdate()
    all_rules = list(
        RetentionRule.objects.filter(company_id=request.user.company_id).order_by(
            "name"
        )
    )
    found = dry_run(all_rules, today=today)
    rules = [
        {"rule": each, "count": found[each.pk][0], "sample": found[each.pk][1]}
        for each in all_rules
    ]
    if rule is not None and not form.is_bound:
        form.fields["version"].initial = rule.version
    context = {"rules": rules, "form": form, "editing": rule}
    status = 400 if request.method == "POST" else 200
    return render(request, "compliance/retention_rules.html", context, status=status)


# --- Disclosures (Art. 19) ------------------------------------------------------------


@customer_roles
@require_http_methods(["GET", "POST"])
def customer_disclosures(request, customer_pk: int):
    """The disclosures card of a customer (htmx): who got its data; record one."""
    from crm import policy
    from crm import selectors as crm_selectors
    from crm.models import person_shown

    perm = "change" if request.method == "POST" else "view"
    customer = crm_selectors.customer_get(user=request.user, pk=customer_pk, perm=perm)
    data_access.record(
        user=request.user, action="view", what="disclosures", customer_id=customer.pk
    )
    form = DisclosureForm(request.POST or None, customer=customer)
    if request.method == "POST" and form.is_valid():
        services.disclosure_record(
            customer=customer, actor=request.user, fields=form.cleaned_data
        )
        form = DisclosureForm(customer=customer)
    context = {
        "customer": customer,
        # A disclosure about a person restricted under Art. 18 is not shown.
        "disclosures": customer.disclosures.filter(
            person_shown(request.user, prefix="person__")
        ).select_related("person", "recorded_by"),
        "form": form,
        "can_edit": policy.may_change(request.user, customer.pk),
        "known_recipients": _register_recipients(customer.company_id),
    }
    status = 400 if request.method == "POST" and form.errors else 200
    return render(request, "compliance/_disclosures.html", context, status=status)


def _register_recipients(company: int) -> list[str]:
    """Recipients named in the company's Art. 30 register, offered as suggestions."""
    names = set()
    for activity in ProcessingActivity.objects.filter(company_id=company, active=True):
        names.update(activity.recipient_list())
    return sorted(names, key=str.lower)


@dpo_only
@require_POST
def request_recipients_told(request, pk: int):
    data_request = selectors.request_get(company=request.user.company_id, pk=pk)
    version = request.POST.get("version", "")
    return _apply(
        request,
        data_request,
        lambda: services.request_recipients_told(
            request=data_request,
            actor=request.user,
            version=version_param(version),
            now=timezone.now(),
        ),
    )


# --- Data protection trainings ------------------------------------------------------


@dpo_only
@require_http_methods(["GET", "POST"])
def trainings(request):
    """The DPO's page: each member's latest training (who lacks one first) and
    a form to record a session for one or several members."""
    company = request.user.company_id
    today = timezone.localdate()
    if request.method == "POST":
        form = TrainingForm(request.POST, company=company)
        if form.is_valid():
            try:
                recorded = training_services.training_record(
                    actor=request.user,
                    users=form.cleaned_data["users"],
                    held_on=form.cleaned_data["held_on"],
                    topic=form.cleaned_data["topic"],
                    valid_until=form.cleaned_data["valid_until"],
                    today=today,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    ngettext(
                        "Training recorded for %(count)d person.",
                        "Training recorded for %(count)d persons.",
                        len(recorded),
                    )
                    % {"count": len(recorded)},
                )
                return redirect("compliance:trainings")
    else:
        form = TrainingForm(
            company=company,
            initial={"held_on": today, "valid_until": add_months(today, 12)},
        )
    context = {
        "form": form,
        "rows": selectors.training_rows(company=company, today=today),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "compliance/trainings.html", context, status=status)


@dpo_only
@require_POST
def training_delete(request, pk: int):
    """Delete a mistaken entry (another company's: 404); history keeps it."""
    training = get_object_or_404(Training, company_id=request.user.company_id, pk=pk)
    training_services.training_delete(actor=request.user, training=training)
    messages.success(request, _("The training entry was deleted."))
    return redirect("compliance:trainings")


@require_GET
def training_status(request):
    """The user's own trainings; with TRAINING_BLOCKS_ACCESS on and none valid,
    the only page besides logout and the like (compliance.middleware)."""
    today = timezone.localdate()
    own = selectors.trainings_of(user=request.user, company=request.user.company_id)
    latest = own[0] if own else None
    status = training_services.status_of(
        latest.valid_until if latest else None, today=today
    )
    context = {
        "trainings": own,
        "latest": latest,
        "status": status,
        "label": training_services.STATUS_LABELS[status],
        "blocked": training_services.training_needed(request.user, today=today),
        "next": request.GET.get("next", ""),
    }
    return render(request, "compliance/training_status.html", context)
