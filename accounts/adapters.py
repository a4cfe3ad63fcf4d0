import hashlib

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.internal import ratelimit
from django.core.cache import cache
from django.core.exceptions import PermissionDenied

from core.audit import client_ip

_LOGIN_FAILED = "login_failed"
_APP = "allauth.account"


def _login_failed_rates() -> tuple[str, str]:
    """ACCOUNT_RATE_LIMITS["login_failed"] split into its per-address and per-account
    parts, each still in the settings' own notation (so the counters live under the
    same cache keys allauth itself uses, and a password reset still clears them)."""
    per_address, per_account = [], []
    for part in (account_settings.RATE_LIMITS.get(_LOGIN_FAILED) or "").split(","):
        if part.strip():
            (per_account if ratelimit.parse_rate(part.strip()).per == "key" else per_address).append(part.strip())
    return ",".join(per_address), ",".join(per_account)


def _lock_seconds(per_account: str) -> float:
    return max((rate.duration for rate in ratelimit.parse_rates(per_account)), default=0)


class PortalAccountAdapter(DefaultAccountAdapter):
    """People join by invitation from their school; there is no public sign-up.

    Failed sign-ins are limited per address and per account. allauth's own per-account
    limit would let anyone lock the DSL out by typing five wrong passwords; here the lock
    holds only for addresses that have themselves failed against the account, so the
    DSL with the right password on another connection still gets in (and still meets
    the second step, which has limits of its own)."""

    def is_open_for_signup(self, request):
        return False

    def get_client_ip(self, request):
        # One answer for the audit log and the rate limits: behind NUM_PROXIES proxies,
        # the address the outermost one saw.
        ip = client_ip(request)
        if not ip:
            raise PermissionDenied("Unable to determine client IP address")
        return ip

    def pre_authenticate(self, request, **credentials):
        account = self._get_login_attempts_cache_key(request, **credentials)
        per_address, per_account = _login_failed_rates()
        usage = ratelimit.consume(request, app=_APP, action=_LOGIN_FAILED, config={_LOGIN_FAILED: per_address})
        if not usage:
            raise self.validation_error("too_many_login_attempts")
        account_usage = ratelimit.consume(
            request, app=_APP, action=_LOGIN_FAILED, config={_LOGIN_FAILED: per_account}, key=account
        )
        if account_usage:
            usage.usage.extend(account_usage.usage)
        elif cache.get(self._failed_from_here_key(request, account)):
            # The account is locked and this address helped lock it.
            raise self.validation_error("too_many_login_attempts")
        # allauth rolls this back when the password is right, so a sign-in costs nothing.
        self._login_failed_rl_usage = usage

    def authentication_failed(self, request, **credentials):
        """Remember that this address failed against this account, for as long as the
        per-account limit counts failures."""
        _, per_account = _login_failed_rates()
        seconds = _lock_seconds(per_account)
        if seconds:
            account = self._get_login_attempts_cache_key(request, **credentials)
            cache.set(self._failed_from_here_key(request, account), True, timeout=seconds)

    def _failed_from_here_key(self, request, account: str) -> str:
        account_hash = hashlib.sha256(account.encode()).hexdigest()
        return f"portal:login-failed-from:{account_hash}:{ratelimit.get_ip(request)}"
