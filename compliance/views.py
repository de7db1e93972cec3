from django.shortcuts import render

from accounts import roles
from accounts.permissions import role_required


@role_required(roles.COMPLIANCE_ROLES)
def index(request):
    """The DPO's start page (the compliance issue fills it)."""
    return render(request, "compliance/index.html")
