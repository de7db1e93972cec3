from django.utils.functional import SimpleLazyObject

from accounts.navigation import navigation_for
from accounts.permissions import access_of, roles_of
from accounts.roles import Role


def navigation(request) -> dict:
    """Navigation, roles and teams of the signed-in user, computed only when used."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    labels = dict(Role.choices)
    return {
        "nav_items": SimpleLazyObject(lambda: navigation_for(user)),
        "user_role_labels": SimpleLazyObject(
            lambda: [labels[role] for role in Role.values if role in roles_of(user)]
        ),
        # Teams the user belongs to or manages: from the same cached query as roles.
        "user_teams": SimpleLazyObject(lambda: list(access_of(user).teams)),
    }
