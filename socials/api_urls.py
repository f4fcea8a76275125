"""X accounts in the REST API, mounted under /api/: /api/accounts and /api/accounts/<id>."""

from rest_framework.routers import SimpleRouter

from .api import AccountViewSet

router = SimpleRouter(trailing_slash=False)  # like the rest of /api/
router.register("accounts", AccountViewSet, basename="x-account")

urlpatterns = router.urls
