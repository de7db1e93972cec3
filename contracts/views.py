from django.shortcuts import render

from accounts import roles
from accounts.permissions import role_required


@role_required(roles.CONTRACT_ROLES)
def contract_list(request):
    """The contract list (the contracts issue fills it)."""
    return render(request, "contracts/contract_list.html")
