"""Customer satisfaction: a resolved case's contact person is asked for a rating.

Once per resolution (a case's cycle: reopening begins a new one) the person named
on the case may be asked by e-mail, from the company's sender and in the
person's language, with five one-click links (1 to 5) to a public page and a
comment box there (service.rating_views). The link only opens the form: a GET
stores nothing, since mail scanners fetch every link of an e-mail; the answer
is the person's POST, accepted once.

Nobody is asked whose data is restricted (Art. 18 GDPR) or who objected
(Art. 21) or withdrew a consent to advertising: a satisfaction survey by e-mail
counts as advertising (BGH VI ZR 225/17). Consents and objections live in
compliance, a higher layer: it registers a contact blocker here
(register_contact_blocker) instead of service importing it. The checks run when
asked and again when the e-mail is sent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Avg, Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core import audit, outbox
from core.errors import NotPossible, messages
from core.models import OutboxMessage
from core.outbox import site_url
from crm import policy
from crm.models import Person, person_shown
from service.models import Case, CaseRating, CaseStatus

messages(
    {
        "rating_not_resolved": _("Only a resolved case can be rated."),
        "rating_no_person": _("The case names no contact person to ask."),
        "rating_no_email": _("The contact person has no e-mail address."),
        "rating_restricted": _(
            "This customer's or person's data is restricted (Art. 18 GDPR): "
            "no satisfaction survey."
        ),
        "rating_already_answered": _("This rating has already been answered."),
        "rating_closed": _("This survey is closed."),
    }
)

RATING = "case-rating"  # the outbox kind of the e-mail asking for a rating
SCORES = (1, 2, 3, 4, 5)
MAX_COMMENT = 2000
# A case may be rated once it is resolved (closing it later keeps the resolution).
RATABLE = (CaseStatus.RESOLVED, CaseStatus.CLOSED)

# fn(person) -> the code of a refusal (declared with core.errors.messages) or None
ContactBlocker = Callable[[Person], str | None]
_BLOCKERS: list[ContactBlocker] = []


def register_contact_blocker(blocker: ContactBlocker) -> ContactBlocker:
    """Let a higher app veto asking a person (compliance: objections, withdrawn
    consents); registering the same function twice keeps one."""
    if blocker not in _BLOCKERS:
        _BLOCKERS.append(blocker)
    return blocker


def contact_blocked(person: Person) -> str | None:
    """The first registered blocker's refusal code for the person, or None."""
    for blocker in _BLOCKERS:
        code = blocker(person)
        if code:
            return code
    return None


def refusal(case: Case, person: Person | None) -> str | None:
    """Why the case's person may not be asked for a rating now, or None."""
    if case.status not in RATABLE:
        return "rating_not_resolved"
    if case.customer.restricted_until is not None:
        return "rating_restricted"
    if person is None:
        return "rating_no_person"
    if person.restricted_until is not None:
        return "rating_restricted"
    if not person.email:
        return "rating_no_email"
    return contact_blocked(person)


@transaction.atomic
def rating_request(*, case: Case, actor: User | None) -> CaseRating:
    """Ask the case's contact person to rate its resolution: the rating of the
    current cycle and its e-mail, once (a second call returns the first)."""
    policy.require_change(actor, case.customer_id)
    locked = (
        Case.objects.select_for_update(of=("self",))
        .select_related("customer", "person")
        .get(pk=case.pk)
    )
    existing = CaseRating.objects.filter(case=locked, cycle=locked.cycle).first()
    if existing is not None:
        return existing
    code = refusal(locked, locked.person)
    if code:
        raise NotPossible(code=code)
    rating = CaseRating(
        case=locked,
        company_id=locked.company_id,
        cycle=locked.cycle,
        person=locked.person,
    )
    audit.save(rating, actor=actor)
    # Sent by a worker after commit, never inside the request (core.outbox).
    outbox.enqueue([(RATING, rating.pk)])
    transaction.on_commit(outbox.deliver_soon, robust=True)
    return rating


@transaction.atomic
def rating_answer(
    *, token: str, score: int | None, comment: str, now: datetime | None = None
) -> CaseRating:
    """Store the person's answer from the public link (1-5 and a comment), once."""
    rating = (
        CaseRating.objects.select_for_update(of=("self",))
        .select_related("case__customer", "person")
        .filter(token=token)
        .first()
    )
    if rating is None:
        raise NotPossible(code="rating_closed")
    if rating.answered_at is not None:
        raise NotPossible(code="rating_already_answered")
    if answer_closed(rating):
        raise NotPossible(code="rating_closed")
    comment = (comment or "").strip()
    errors: dict[str, str] = {}
    if score not in SCORES:
        errors["score"] = _("Choose a rating from 1 to 5.")
    if len(comment) > MAX_COMMENT:
        errors["comment"] = _("At most 2000 characters.")
    if errors:
        raise ValidationError(errors)
    rating.score = score
    rating.comment = comment
    rating.answered_at = now or timezone.now()
    audit.save(rating, actor=None, reason=_("Answered by the customer"))
    return rating


def answer_closed(rating: CaseRating) -> bool:
    """True when an answer may no longer be stored: the customer or the person
    is restricted now (Art. 18: stored, not processed further)."""
    person = rating.person
    return rating.case.customer.restricted_until is not None or (
        person is not None and person.restricted_until is not None
    )


def language_of(rating: CaseRating) -> str:
    """The language the person reads: theirs, else the site's (German)."""
    person = rating.person
    supported = {code for code, _name in settings.LANGUAGES}
    if person is not None and person.preferred_language in supported:
        return person.preferred_language
    return settings.LANGUAGE_CODE


def rating_url(rating: CaseRating, score: int | None = None) -> str:
    """The public page of the rating (with a score preselected), absolute."""
    url = site_url() + reverse("ratings:form", args=[rating.token])
    return f"{url}?score={score}" if score else url


# --- The e-mail -------------------------------------------------------------------


def _sendable(pk: int) -> CaseRating | None:
    """The rating whose e-mail is still to go out, or None: answered, reopened
    meanwhile, restricted, objected or without an address now."""
    rating = (
        CaseRating.objects.select_related("case__customer", "person", "company")
        .filter(pk=pk)
        .first()
    )
    if rating is None or rating.answered_at is not None:
        return None
    if rating.case.cycle != rating.cycle or refusal(rating.case, rating.person):
        return None
    return rating


def _rating_sent(message: OutboxMessage, now) -> None:
    # The outbox calls this also when the renderer sent nothing: asked again.
    # Bookkeeping of the sending, like the digests' sent_at: no history row.
    if _sendable(message.object_id) is not None:
        CaseRating.objects.filter(pk=message.object_id).update(sent_at=now)


@outbox.kind(RATING, on_sent=_rating_sent)
def _render_rating(message: OutboxMessage) -> EmailMultiAlternatives | None:
    rating = _sendable(message.object_id)
    if rating is None:
        return None
    case, person = rating.case, rating.person
    context = {
        "person": person,
        "case": case,
        "company_name": rating.company.name,
        "links": [(score, rating_url(rating, score)) for score in SCORES],
        "form_url": rating_url(rating),
    }
    return outbox.render_mail(
        template="service/email/case_rating",
        context=context,
        to=[person.email],
        language=language_of(rating),
        from_email=rating.company.sender_email,
    )


# --- Reads -----------------------------------------------------------------------


def case_ratings(case: Case) -> list[CaseRating]:
    """The ratings of the case, the latest resolution first, with their persons."""
    return list(case.ratings.select_related("person").order_by("-cycle", "-id"))


@dataclass(frozen=True)
class RatingRow:
    """Answered ratings of a group (a team, an owner): how many, on average."""

    key: int | None
    name: str
    count: int
    average: float


def _answered(company_id: int, since: datetime | None, user: User | None):
    """Answered ratings of the company (since `since`); with a user, only those
    of cases the user may see, not naming a person hidden from them."""
    ratings = CaseRating.objects.filter(
        company_id=company_id, answered_at__isnull=False
    )
    if since is not None:
        ratings = ratings.filter(answered_at__gte=since)
    if user is not None:
        ratings = ratings.filter(
            Q(case_id__in=Case.objects.visible_to(user).values("pk")),
            person_shown(user, prefix="person__"),
        )
    return ratings


def team_ratings(
    company_id: int, since: datetime | None = None, *, user: User | None = None
) -> list[RatingRow]:
    """Per team of the cases: answered ratings and their average, one query."""
    rows = (
        _answered(company_id, since, user)
        .values("case__team_id", "case__team__name")
        .annotate(count=Count("pk"), average=Avg("score"))
        .order_by("case__team__name", "case__team_id")
    )
    return [
        RatingRow(
            key=row["case__team_id"],
            name=row["case__team__name"] or "",
            count=row["count"],
            average=float(row["average"]),
        )
        for row in rows
    ]


def owner_ratings(
    company_id: int, since: datetime | None = None, *, user: User | None = None
) -> list[RatingRow]:
    """Per owner of the cases: answered ratings and their average, one query."""
    rows = (
        _answered(company_id, since, user)
        .values(
            "case__owner_id",
            "case__owner__first_name",
            "case__owner__last_name",
            "case__owner__username",
        )
        .annotate(count=Count("pk"), average=Avg("score"))
        .order_by("case__owner__last_name", "case__owner__first_name", "case__owner_id")
    )
    return [
        RatingRow(
            key=row["case__owner_id"],
            name=" ".join(
                part
                for part in (
                    row["case__owner__first_name"],
                    row["case__owner__last_name"],
                )
                if part
            )
            or row["case__owner__username"],
            count=row["count"],
            average=float(row["average"]),
        )
        for row in rows
    ]


def latest_comments(
    company_id: int,
    since: datetime | None = None,
    *,
    user: User | None = None,
    limit: int = 20,
) -> list[CaseRating]:
    """The latest answered ratings with a comment, with their cases."""
    return list(
        _answered(company_id, since, user)
        .exclude(comment="")
        .select_related("case__customer")
        .order_by("-answered_at", "-id")[:limit]
    )
