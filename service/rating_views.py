"""Pages of ratings: the public page a rating e-mail links to (no login: the
token is the credential) and the report for managers. Thin: parse, call
service.ratings, render."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone, translation
from django.views.decorators.http import require_GET, require_http_methods

from accounts import roles
from accounts.permissions import role_required
from core.errors import NotPossible
from core.params import int_param
from service import ratings
from service.models import CaseRating

report_roles = role_required({roles.Role.MANAGER, roles.Role.ADMIN})

# The report's periods in days; none chosen: every answer.
PERIODS = (30, 90, 365)


def _language(request: HttpRequest, rating: CaseRating) -> str:
    """The visitor's chosen language (the switch in the page head), else the
    person's, else German."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if request.user.is_authenticated or chosen:
        return translation.get_language() or settings.LANGUAGE_CODE
    return ratings.language_of(rating)


@login_not_required
@require_http_methods(["GET", "POST"])
def rating_form(request: HttpRequest, token: str) -> HttpResponse:
    """The rating link: GET shows the form (the score of the link chosen) and
    stores nothing (mail scanners fetch links); POST stores the answer, once."""
    rating = get_object_or_404(
        CaseRating.objects.select_related("case__customer", "person", "company"),
        token=token,
    )
    language = _language(request, rating)
    state, status, errors = "form", 200, {}
    score = int_param(request.GET.get("score"), minimum=1, maximum=5)
    comment = ""
    if rating.answered_at is not None:
        state = "answered"
    elif ratings.answer_closed(rating):
        state, status = "closed", 410
    elif request.method == "POST":
        score = int_param(request.POST.get("score"), minimum=1, maximum=5)
        comment = request.POST.get("comment", "")
        try:
            rating = ratings.rating_answer(token=token, score=score, comment=comment)
        except ValidationError as error:
            status, errors = 400, {k: v[0] for k, v in error.message_dict.items()}
        except NotPossible as refused:  # answered or closed meanwhile
            rating.refresh_from_db()
            if refused.code == "rating_already_answered":
                state = "answered"
            else:
                state, status = "closed", 410
        else:
            state = "thanks"
    with translation.override(language):
        response = render(
            request,
            "service/rating_form.html",
            {
                "rating": rating,
                "case": rating.case,
                "company_name": rating.company.name,
                "state": state,
                "scores": ratings.SCORES,
                "score": score,
                "comment": comment,
                "errors": errors,
                "max_comment": ratings.MAX_COMMENT,
            },
            status=status,
        )
    response["Content-Language"] = language
    # The token is the credential: no copy in caches, none in a Referer.
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


@report_roles
@require_GET
def rating_report(request: HttpRequest) -> HttpResponse:
    """Answered ratings of the cases the user may see: per team, per owner, and
    the latest comments; over the last 30, 90 or 365 days or all."""
    days = int_param(request.GET.get("days"))
    days = days if days in PERIODS else None
    since = timezone.now() - timedelta(days=days) if days else None
    company_id = request.user.company_id
    teams = ratings.team_ratings(company_id, since, user=request.user)
    owners = ratings.owner_ratings(company_id, since, user=request.user)
    total = sum(row.count for row in teams)
    average = sum(row.count * row.average for row in teams) / total if total else None
    return render(
        request,
        "service/rating_report.html",
        {
            "teams": teams,
            "owners": owners,
            "comments": ratings.latest_comments(company_id, since, user=request.user),
            "total": total,
            "average": average,
            "days": days,
            "periods": PERIODS,
        },
    )
