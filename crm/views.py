from django.shortcuts import render

from accounts import roles
from accounts.permissions import role_required


@role_required(roles.CUSTOMER_ROLES)
def customer_list(request):
    """The customer list (the customers issue fills it)."""
    return render(request, "crm/customer_list.html")
