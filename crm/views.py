"""Customer pages. Thin: parse the form, authorize through a selector (404 for
what the user may not see), call one service, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import ProtectedError
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import roles
from accounts.models import Team, User
from accounts.permissions import access_of, has_role, role_required
from core import access as data_access
from core import exports
from core.errors import NotPossible
from core.params import datetime_param
from core.versioning import StaleEdit
from crm import cards, quality, selectors, services
from crm.forms import (
    AddressForm,
    CustomerFilterForm,
    CustomerForm,
    InteractionForm,
    MergeForm,
    PersonForm,
    ReassignForm,
    ShareForm,
    TimelineFilterForm,
)
from crm.models import (
    Address,
    Customer,
    CustomerGroupObjectPermission,
    CustomerKind,
    CustomerStatus,
    CustomerUserObjectPermission,
    Person,
)

customer_roles = role_required(roles.CUSTOMER_ROLES)
edit_roles = role_required(roles.CUSTOMER_EDIT_ROLES)


def _filters(request) -> tuple[CustomerFilterForm, dict]:
    form = CustomerFilterForm(request.GET or None, company=request.user.company_id)
    filters = form.cleaned_data if form.is_valid() else {}
    return form, filters


@customer_roles
@require_GET
def customer_list(request):
    """The customer list: filters, sorting, keyset pages, capped count."""
    form, filters = _filters(request)
    page = selectors.customer_page(user=request.user, filters=filters)
    query = request.GET.copy()
    query.pop("after", None)
    can_reassign = has_role(request.user, roles.CUSTOMER_EDIT_ROLES)
    owners, teams = selectors.list_choices(request.user.company_id)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "can_reassign": can_reassign,
        "owners": owners,
        "teams": teams,
        # The filter's inputs are written out in the template (no widget
        # rendering: the list is the busiest page); these are their values.
        "chosen": {
            name: request.GET.get(name, "")
            for name in ("owner", "team", "sort", "status", "tag")
        }
        | {name: name in request.GET for name in ("key_account", "review_due")},
    }
    return render(request, "crm/customer_list.html", context)


@edit_roles
@require_POST
def customer_reassign(request):
    """Bulk: new owner and/or team for the chosen customers; access moves along."""
    editable = Customer.objects.editable_by(request.user)
    form = ReassignForm(
        request.POST, editable=editable, company=request.user.company_id
    )
    if not form.is_valid():
        if "customers" in form.errors:
            messages.error(
                request, _("Some chosen customers are not yours to change; none moved.")
            )
        for error in form.non_field_errors():
            messages.error(request, error)
        return redirect("crm:customer_list")
    changed = services.customer_reassign(
        customers=list(form.cleaned_data["customers"]),
        owner=form.cleaned_data["owner"],
        team=form.cleaned_data["team"],
        actor=request.user,
    )
    messages.success(
        request,
        _("%(count)s customer(s) reassigned.") % {"count": changed},
    )
    return redirect("crm:customer_list")


# The CSV's columns: (lookup, header). Headers in the user's language; status and
# kind as their labels; dates ISO 8601 so that spreadsheets read them as dates.
EXPORT_COLUMNS = [
    ("number", gettext_lazy("Customer number")),
    ("name", gettext_lazy("Name")),
    ("kind", gettext_lazy("Kind")),
    ("status", gettext_lazy("Status")),
    ("owner__username", gettext_lazy("Account owner")),
    ("team__name", gettext_lazy("Team")),
    ("key_account", gettext_lazy("Key account")),
    ("industry", gettext_lazy("Industry")),
    ("vat_id", gettext_lazy("VAT ID")),
    ("next_review_on", gettext_lazy("Next data review")),
]


class _Echo:
    def write(self, value):
        return value


@customer_roles
@require_GET
def customer_export(request):
    """The filtered list as CSV (visible customers only), streamed."""
    _form, filters = _filters(request)
    rows = (
        selectors.customer_list(user=request.user, filters=filters)
        .order_by("name", "pk")
        .values_list(*[column for column, _label in EXPORT_COLUMNS])
    )
    data_access.record(user=request.user, action="export", what="CSV", customers=rows)
    # Cells that would run as formulas in a spreadsheet go out as text.
    writer = exports.csv_writer(_Echo(), delimiter=";")
    kinds, statuses = dict(CustomerKind.choices), dict(CustomerStatus.choices)
    yes, no = _("yes"), _("no")

    def stream():
        yield "\ufeff"  # Excel opens UTF-8 with a BOM correctly
        yield writer.writerow([str(label) for _column, label in EXPORT_COLUMNS])
        for number, name, kind, status, owner, team, key, *rest in rows.iterator(
            chunk_size=2000
        ):
            yield writer.writerow(
                [
                    number,
                    name,
                    kinds.get(kind, kind),
                    statuses.get(status, status),
                    owner,
                    team,
                    yes if key else no,
                    *rest,
                ]
            )

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="customers-{stamp}.csv"'
    return response


def _forms_for_new(request, kind: str):
    data = request.POST if request.method == "POST" else None
    access = access_of(request.user)
    initial = {"owner": request.user.pk}
    if access.member_team_ids:
        initial["team"] = min(access.member_team_ids)
    customer_form = CustomerForm(
        data, kind=kind, initial=initial, company=access.company_id
    )
    person_form = None
    if kind == CustomerKind.PRIVATE:
        person_form = PersonForm(data, private=True, prefix="person")
    return customer_form, person_form


def _to_customer_or_list(request, customer: Customer):
    """After a save: the customer, or the list when it went to another team."""
    if Customer.objects.visible_to(request.user).filter(pk=customer.pk).exists():
        return redirect(customer)
    messages.info(
        request,
        _("%(name)s now belongs to %(owner)s (team %(team)s); you no longer see it.")
        % {"name": customer, "owner": customer.owner, "team": customer.team},
    )
    return redirect("crm:customer_list")


@edit_roles
@require_http_methods(["GET", "POST"])
def customer_new(request):
    """Create an organization or a private customer (with its person)."""
    kind = request.GET.get("kind", request.POST.get("kind", CustomerKind.ORGANIZATION))
    if kind not in CustomerKind.values:
        kind = CustomerKind.ORGANIZATION
    customer_form, person_form = _forms_for_new(request, kind)
    if request.method == "POST":
        valid = customer_form.is_valid()
        valid = (person_form is None or person_form.is_valid()) and valid
        if valid:
            customer = services.customer_create(
                actor=request.user,
                kind=kind,
                fields=customer_form.model_fields(),
                tags=customer_form.cleaned_data["tags"],
                person_fields=person_form.model_fields() if person_form else None,
            )
            messages.success(
                request, _("Customer %(name)s created.") % {"name": customer}
            )
            return _to_customer_or_list(request, customer)
    return render(
        request,
        "crm/customer_form.html",
        {"form": customer_form, "person_form": person_form, "kind": kind},
    )


@customer_roles
@require_GET
def customer_detail(request, pk: int):
    """The customer: master data, persons, addresses, quality, timeline."""
    customer = selectors.customer_get(user=request.user, pk=pk)
    access = selectors.customer_access(user=request.user, customer=customer)
    # Logged whatever the request's headers say (an htmx request gets this page too).
    data_access.record(
        user=request.user, action="view", what="", customer_id=customer.pk
    )
    persons = list(customer.persons.shown_to(request.user))
    addresses = list(customer.addresses.all())
    page = selectors.timeline(user=request.user, customer=customer)
    context = {
        "customer": customer,
        "access": access,
        "persons": persons,
        "addresses": [a for a in addresses if a.is_current],
        "former_addresses": [a for a in addresses if not a.is_current],
        "completeness": selectors.customer_quality(
            customer=customer, persons=persons, addresses=addresses
        ),
        "quality_rules": quality.rules_for(customer.is_private),
        "timeline": page,
        "filter_form": TimelineFilterForm(),
        "interaction_form": InteractionForm(customer=customer)
        if access.can_edit
        else None,
        # Contracts, disclosures, ...: cards of the apps above crm (crm.cards).
        "cards": cards.render_context(
            user=request.user, customer=customer, access=access
        ),
        "timeline_actions": cards.timeline_actions(),
        "tab": "overview",
    }
    return render(request, "crm/customer_detail.html", context)


def _timeline_context(customer, request, *, person=None) -> dict:
    form = TimelineFilterForm(request.GET)
    kind, before = "", None
    if form.is_valid():
        kind, before = form.cleaned_data["kind"], form.cleaned_data["before"]
    page = selectors.timeline(
        user=request.user, customer=customer, kind=kind, before=before, person=person
    )
    return {"customer": customer, "timeline": page, "kind": kind, "person": person}


@customer_roles
@require_http_methods(["GET", "POST"])
def customer_timeline(request, pk: int):
    """htmx: GET a (filtered, next) page of the timeline; POST adds an interaction."""
    if request.method == "GET":
        customer = selectors.customer_get(user=request.user, pk=pk)
        data_access.record(
            user=request.user, action="view", what="timeline", customer_id=customer.pk
        )
        context = _timeline_context(customer, request)
        return render(request, "crm/customer_detail.html#timeline-rows", context)
    customer = selectors.customer_get(user=request.user, pk=pk, perm="change")
    form = InteractionForm(request.POST, customer=customer)
    if form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "persons"}
        services.interaction_create(
            customer=customer,
            actor=request.user,
            fields=fields,
            persons=form.cleaned_data["persons"],
        )
        form = InteractionForm(customer=customer)
        saved = True
    else:
        saved = False
    context = {
        "customer": customer,
        "interaction_form": form,
        "persons": list(customer.persons.shown_to(request.user)),
        "timeline": selectors.timeline(user=request.user, customer=customer),
        "filter_form": TimelineFilterForm(),
        "saved": saved,
        "timeline_actions": cards.timeline_actions(),
    }
    if request.htmx:
        return render(request, "crm/customer_detail.html#timeline", context)
    if saved:
        messages.success(request, _("Interaction saved."))
        return redirect(customer)
    return render(request, "crm/interaction_form.html", context, status=400)


@edit_roles
@require_http_methods(["GET", "POST"])
def customer_edit(request, pk: int):
    """Edit master data; a save based on an old version is refused (lost update)."""
    customer = selectors.customer_get(user=request.user, pk=pk, perm="change")
    person = customer.persons.first() if customer.is_private else None
    data = request.POST if request.method == "POST" else None
    form = CustomerForm(
        data, instance=customer, kind=customer.kind, company=customer.company_id
    )
    person_form = (
        PersonForm(data, instance=person, private=True, prefix="person")
        if person
        else None
    )
    conflict = None
    # The form shows the master data (a private customer's birthday and notes too).
    data_access.record(
        user=request.user,
        action="view",
        what="edit",
        customer_id=customer.pk,
        person_id=person.pk if person else None,
    )
    if request.method == "POST":
        valid = form.is_valid()
        valid = (person_form is None or person_form.is_valid()) and valid
        version = form.cleaned_data.get("version") if valid else None
        if valid and version is None:
            form.add_error(None, _("The form is incomplete; reload the page."))
            valid = False
        if valid:
            try:
                services.customer_update(
                    customer=customer,
                    actor=request.user,
                    version=version,
                    fields=form.model_fields(),
                    tags=form.cleaned_data["tags"],
                    person=person,
                    person_fields=person_form.model_fields() if person_form else None,
                )
            except StaleEdit as stale:
                conflict = stale.changes
            else:
                messages.success(request, _("Changes saved."))
                return _to_customer_or_list(request, customer)
    status = 409 if conflict is not None else (400 if request.method == "POST" else 200)
    return render(
        request,
        "crm/customer_form.html",
        {
            "form": form,
            "person_form": person_form,
            "customer": customer,
            "kind": customer.kind,
            "conflict": conflict,
        },
        status=status,
    )


@customer_roles
@require_http_methods(["GET", "POST"])
def customer_delete(request, pk: int):
    """Delete a customer after confirmation (managers and admins)."""
    customer = selectors.customer_get(user=request.user, pk=pk, perm="change")
    if not has_role(request.user, roles.CUSTOMER_DELETE_ROLES):
        raise PermissionDenied  # visible and editable, but deleting is for managers
    if request.method == "POST":
        try:
            services.customer_delete(customer=customer, actor=request.user)
        except ProtectedError:
            # Contracts are business records under retention: they keep it.
            messages.error(
                request,
                _("%(name)s has contracts and cannot be deleted.") % {"name": customer},
            )
            return redirect(customer)
        messages.success(request, _("Customer %(name)s deleted.") % {"name": customer})
        return redirect("crm:customer_list")
    return render(request, "crm/customer_delete.html", {"customer": customer})


@edit_roles
@require_POST
def customer_reviewed(request, pk: int):
    """The owner looked at the customer's data: the next review is set."""
    customer = selectors.customer_get(user=request.user, pk=pk, perm="change")
    customer = services.customer_mark_reviewed(
        customer=customer, actor=request.user, today=timezone.localdate()
    )
    messages.success(
        request,
        _("Data review recorded; the next one is due on %(day)s.")
        % {"day": date_format(customer.next_review_on, "SHORT_DATE_FORMAT")},
    )
    return redirect(customer)


@customer_roles
@require_GET
def customer_history(request, pk: int):
    """History tab: who changed which field from what to what, and when."""
    customer = selectors.customer_get(user=request.user, pk=pk)
    data_access.record(
        user=request.user, action="view", what="history", customer_id=customer.pk
    )
    before = datetime_param(request.GET.get("before"))
    entries, has_more = selectors.customer_history(
        user=request.user, customer=customer, before=before
    )
    context = {
        "customer": customer,
        "entries": entries,
        "next_before": entries[-1].when.isoformat() if has_more and entries else None,
        "tab": "history",
    }
    return render(request, "crm/customer_history.html", context)


def _form_status(request, form, conflict) -> int:
    """409 for a refused stale save, 400 for a refused form, else 200."""
    if conflict is not None:
        return 409
    return 400 if request.method == "POST" and form.errors else 200


# --- Persons ------------------------------------------------------------------


@edit_roles
@require_http_methods(["GET", "POST"])
def person_new(request, pk: int):
    customer = selectors.customer_get(user=request.user, pk=pk, perm="change")
    form = PersonForm(request.POST or None, private=False)
    if request.method == "POST" and form.is_valid():
        person = services.person_create(
            customer=customer, actor=request.user, fields=form.model_fields()
        )
        messages.success(request, _("%(name)s added.") % {"name": person})
        return redirect(customer)
    return render(request, "crm/person_form.html", {"form": form, "customer": customer})


@customer_roles
@require_GET
def person_detail(request, pk: int, person_pk: int):
    """A person with their own timeline (interactions they took part in)."""
    customer = selectors.customer_get(user=request.user, pk=pk)
    person = selectors.child_get(
        model=Person, customer=customer, pk=person_pk, user=request.user
    )
    access = selectors.customer_access(user=request.user, customer=customer)
    data_access.record(
        user=request.user,
        action="view",
        what="timeline" if request.htmx else "",
        customer_id=customer.pk,
        person_id=person.pk,
    )
    context = _timeline_context(customer, request, person=person)
    if request.htmx:
        return render(request, "crm/customer_detail.html#timeline-rows", context)
    context.update(
        {
            "access": access,
            "filter_form": TimelineFilterForm(),
            # e.g. "new task" of service (crm.cards.register_record_action)
            "record_actions": cards.record_actions("person")
            if access.can_edit and customer.restricted_until is None
            else [],
        }
    )
    return render(request, "crm/person_detail.html", context)


@edit_roles
@require_http_methods(["GET", "POST"])
def person_edit(request, pk: int, person_pk: int):
    customer = selectors.customer_get(user=request.user, pk=pk, perm="change")
    person = selectors.child_get(
        model=Person, customer=customer, pk=person_pk, user=request.user
    )
    data_access.record(  # the form shows birthday and personal notes
        user=request.user,
        action="view",
        what="edit",
        customer_id=customer.pk,
        person_id=person.pk,
    )
    form = PersonForm(
        request.POST or None, instance=person, private=customer.is_private
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(
                person=person,
                actor=request.user,
                version=form.cleaned_data["version"],
                fields=form.model_fields(),
            )
        except StaleEdit as stale:
            conflict = stale.changes
        else:
            messages.success(request, _("Changes saved."))
            return redirect(person)
    return render(
        request,
        "crm/person_form.html",
        {"form": form, "customer": customer, "person": person, "conflict": conflict},
        status=_form_status(request, form, conflict),
    )


@edit_roles
@require_POST
def person_delete(request, pk: int, person_pk: int):
    """Remove a contact person (not the person a private customer is)."""
    customer = selectors.customer_get(user=request.user, pk=pk, perm="change")
    person = selectors.child_get(
        model=Person, customer=customer, pk=person_pk, user=request.user
    )
    try:
        services.person_delete(person=person, actor=request.user)
    except NotPossible as refused:
        raise PermissionDenied(refused.message) from refused
    messages.success(request, _("%(name)s removed.") % {"name": person})
    return redirect(customer)


# --- Addresses ----------------------------------------------------------------


@edit_roles
@require_http_methods(["GET", "POST"])
def address_new(request, pk: int):
    """A new current address for a purpose; the previous one is kept as former."""
    customer = selectors.customer_get(user=request.user, pk=pk, perm="change")
    form = AddressForm(
        request.POST or None, initial={"purpose": request.GET.get("purpose", "postal")}
    )
    if request.method == "POST" and form.is_valid():
        services.address_create(
            customer=customer, actor=request.user, fields=form.model_fields()
        )
        messages.success(request, _("Address saved."))
        return redirect(customer)
    return render(
        request, "crm/address_form.html", {"form": form, "customer": customer}
    )


@edit_roles
@require_http_methods(["GET", "POST"])
def address_edit(request, pk: int, address_pk: int):
    customer = selectors.customer_get(user=request.user, pk=pk, perm="change")
    address = selectors.child_get(
        model=Address, customer=customer, pk=address_pk, user=request.user
    )
    form = AddressForm(request.POST or None, instance=address)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.address_update(
                address=address,
                actor=request.user,
                version=form.cleaned_data["version"],
                fields=form.model_fields(),
            )
        except StaleEdit as stale:
            conflict = stale.changes
        else:
            messages.success(request, _("Address saved."))
            return redirect(customer)
    return render(
        request,
        "crm/address_form.html",
        {"form": form, "customer": customer, "address": address, "conflict": conflict},
        status=_form_status(request, form, conflict),
    )


# --- Sharing --------------------------------------------------------------------


@customer_roles
@require_http_methods(["GET", "POST"])
def customer_sharing(request, pk: int):
    """Who else may see or edit this customer; owner, team and admins change it."""
    customer = selectors.customer_get(user=request.user, pk=pk)
    access = selectors.customer_access(user=request.user, customer=customer)
    form = ShareForm(request.POST or None, company=customer.company_id)
    if request.method == "POST":
        if not access.can_share:
            raise PermissionDenied
        if "revoke_user" in request.POST or "revoke_team" in request.POST:
            user = team = None
            if request.POST.get("revoke_user"):
                user = get_object_or_404(User, pk=request.POST["revoke_user"])
            else:
                team = get_object_or_404(Team, pk=request.POST["revoke_team"])
            services.customer_unshare(
                customer=customer, actor=request.user, user=user, team=team
            )
            messages.success(request, _("Access withdrawn."))
            return redirect("crm:customer_sharing", pk=customer.pk)
        if form.is_valid():
            services.customer_share(
                customer=customer,
                actor=request.user,
                user=form.cleaned_data["user"],
                team=form.cleaned_data["team"],
                can_edit=form.cleaned_data["can_edit"],
            )
            messages.success(request, _("Customer shared."))
            return redirect("crm:customer_sharing", pk=customer.pk)
    grants = _grants_of(customer)
    return render(
        request,
        "crm/customer_sharing.html",
        {
            "customer": customer,
            "access": access,
            "form": form,
            "grants": grants,
            "tab": "sharing",
        },
    )


def _grants_of(customer: Customer) -> list[dict]:
    grants: dict = {}
    for row in CustomerUserObjectPermission.objects.filter(
        content_object=customer
    ).select_related("user", "permission"):
        entry = grants.setdefault(
            ("user", row.user_id), {"user": row.user, "team": None, "edit": False}
        )
        entry["edit"] |= row.permission.codename == "change_customer"
    teams = {
        team.group_id: team for team in Team.objects.of_company(customer.company_id)
    }
    for row in CustomerGroupObjectPermission.objects.filter(
        content_object=customer
    ).select_related("permission"):
        team = teams.get(row.group_id)
        if team is None:
            continue
        entry = grants.setdefault(
            ("team", team.pk), {"user": None, "team": team, "edit": False}
        )
        entry["edit"] |= row.permission.codename == "change_customer"
    return list(grants.values())


# --- Data quality: duplicates and merge --------------------------------------------


@customer_roles
@require_GET
def customer_duplicates(request, pk: int):
    """htmx fragment on the detail page: possible duplicates of this customer."""
    customer = selectors.customer_get(user=request.user, pk=pk)
    duplicates = selectors.duplicates_of(user=request.user, customer=customer)
    data_access.record(
        user=request.user,
        action="view",
        what="duplicates",
        rows=[(customer.pk, None), *((d.customer.pk, None) for d in duplicates)],
    )
    access = selectors.customer_access(user=request.user, customer=customer)
    return render(
        request,
        "crm/customer_detail.html#duplicates",
        {"customer": customer, "duplicates": duplicates, "access": access},
    )


@customer_roles
@require_GET
def duplicate_list(request):
    """Pairs of customers that look alike, with the reason, across what you see."""
    pairs = selectors.duplicate_candidates(user=request.user)
    data_access.record(
        user=request.user,
        action="view",
        what="duplicates",
        rows=[(c.pk, None) for first, second, _r in pairs for c in (first, second)],
    )
    can_merge = has_role(request.user, roles.CUSTOMER_EDIT_ROLES)
    return render(
        request, "crm/duplicate_list.html", {"pairs": pairs, "can_merge": can_merge}
    )


@edit_roles
@require_http_methods(["GET", "POST"])
def customer_merge(request, pk: int):
    """Merge a duplicate into this customer: everything moves, history records it."""
    survivor = selectors.customer_get(user=request.user, pk=pk, perm="change")
    candidates = Customer.objects.editable_by(request.user).exclude(pk=survivor.pk)
    initial = {"duplicate": request.GET.get("duplicate")}
    form = MergeForm(request.POST or None, candidates=candidates, initial=initial)
    duplicate = None
    if form.is_bound and form.is_valid():
        duplicate = form.cleaned_data["duplicate"]
        if request.POST.get("confirm") == "yes":
            result = services.customer_merge(
                survivor=survivor, duplicate=duplicate, actor=request.user
            )
            messages.success(
                request,
                _(
                    "Merged: %(persons)s person(s), %(addresses)s address(es) and "
                    "%(interactions)s interaction(s) moved."
                )
                % {
                    "persons": result.persons,
                    "addresses": result.addresses,
                    "interactions": result.interactions,
                },
            )
            return redirect(survivor)
    elif initial["duplicate"]:
        duplicate = candidates.filter(pk=initial["duplicate"]).first()
    counts = None
    if duplicate is not None:
        counts = {
            "persons": duplicate.persons.count(),
            "addresses": duplicate.addresses.count(),
            "interactions": duplicate.interactions.count(),
        }
    return render(
        request,
        "crm/customer_merge.html",
        {
            "customer": survivor,
            "form": form,
            "duplicate": duplicate,
            "counts": counts,
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


# --- Search -----------------------------------------------------------------------


@customer_roles
@require_GET
def search(request):
    """One box: customers and persons by name, number, e-mail, phone or city."""
    text = request.GET.get("q", "").strip()
    result = selectors.search_all(user=request.user, text=text) if text else None
    if result is not None:  # the hits show names, e-mails and phone numbers
        data_access.record(
            user=request.user,
            action="view",
            what="search",
            rows=[
                *((c.pk, None) for c in result.customers),
                *((p.customer_id, p.pk) for p in result.persons),
            ],
        )
    return render(request, "crm/search.html", {"q": text, "result": result})
