"""Who may no longer be contacted for advertising: the person objected (Art. 21
GDPR) or withdrew a consent to advertising and gave none again.

Lower apps ask through their hooks (service.ratings.register_contact_blocker:
a satisfaction survey by e-mail is advertising, BGH VI ZR 225/17); compliance
registers this check in its AppConfig.ready.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from compliance.models import (
    Consent,
    ConsentStatus,
    DataSubjectRequest,
    RequestKind,
    RequestStatus,
)
from core.errors import messages
from crm.models import Person

messages(
    {
        "contact_objected": _(
            "This person objected to advertising or withdrew a consent to it: "
            "no satisfaction survey."
        ),
    }
)


def contact_objected(person: Person) -> str | None:
    """ "contact_objected" when the person objected (a request of that kind not
    rejected, or a consent withdrawn by objection) or withdrew a consent whose
    purpose has no consent given again; else None."""
    objection = DataSubjectRequest.objects.filter(
        person_id=person.pk, kind=RequestKind.OBJECTION
    ).exclude(status=RequestStatus.REJECTED)
    if objection.exists():
        return "contact_objected"
    given_again = Consent.objects.filter(
        person_id=person.pk, status=ConsentStatus.GRANTED
    ).values("purpose")
    withdrawn = Consent.objects.filter(
        person_id=person.pk, status=ConsentStatus.WITHDRAWN
    ).filter(Q(withdrawn_via="objection") | ~Q(purpose__in=given_again))
    return "contact_objected" if withdrawn.exists() else None
