"""The training gate: with TRAINING_BLOCKS_ACCESS on, no page with personal data
for a user whose company has no valid data protection training of theirs."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from accounts.middleware import COMMITMENT_ROUTES, SECOND_STEP_NAMESPACES

# Routes open without a valid training: the training's own page, and whatever
# the commitment gate leaves open (the commitment, the second step and factors,
# the language, the company switch, logging out). Also the DPO's trainings
# page: the DPO and Admin (the view checks the role) record their own training
# there, or switching the setting on would lock out the only ones who can.
TRAINING_ROUTES = COMMITMENT_ROUTES | {
    "training:status",
    "compliance:trainings",
    "compliance:training_delete",
}


class TrainingMiddleware:
    """After CommitmentMiddleware: the setting off costs no query; on, one
    indexed query per request (compliance.trainings.training_needed)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        from compliance.trainings import training_needed

        if not settings.TRAINING_BLOCKS_ACCESS:
            return None  # read per request: tests switch it
        if not getattr(view_func, "login_required", True):
            return None
        match = request.resolver_match
        if match is not None and (
            match.view_name in TRAINING_ROUTES
            or match.namespace in SECOND_STEP_NAMESPACES
        ):
            return None
        if not training_needed(request.user, today=timezone.localdate()):
            return None
        target = reverse("training:status")
        url = f"{target}?{urlencode({'next': request.get_full_path()})}"
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)
