from django.conf import settings


def sandbox(request):
    """Every page says so when X is the local sandbox, so nobody mistakes it for X."""
    return {
        "X_SANDBOX": settings.X_SANDBOX,
        "X_API_URL": settings.X_API_URL,
        "PLATFORM_SANDBOX": settings.PLATFORM_SANDBOX,
        "PLATFORM_SANDBOX_URL": settings.PLATFORM_SANDBOX_URL,
    }
