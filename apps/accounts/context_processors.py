from .permissions import can_change


def organisations(request):
    """The signed-in user's memberships (for the switcher) and the current one, if any."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    membership = getattr(request, "membership", None)
    return {
        "my_memberships": user.memberships.select_related("organisation"),
        "current_membership": membership,
        "current_org": getattr(request, "organisation", None),
        "can_change": can_change(membership),
    }
