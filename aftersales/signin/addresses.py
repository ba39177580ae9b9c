"""The client's address, the same for the lockout, the throttles and the logs."""

from django.conf import settings


def client_ip(request):
    """REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT reverse proxies the address the outermost of
    them saw (counted from the right of X-Forwarded-For, the part our proxies wrote; anything
    further left came from the client and proves nothing). DRF's NUM_PROXIES is set to the same
    count, so its throttles agree."""
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        addresses = [address.strip() for address in forwarded.split(",")]
        return addresses[-min(proxies, len(addresses))]
    return request.META.get("REMOTE_ADDR", "")
