from allauth.account.adapter import DefaultAccountAdapter


class PortalAccountAdapter(DefaultAccountAdapter):
    """People join by invitation from their school; there is no public sign-up."""

    def is_open_for_signup(self, request):
        return False
