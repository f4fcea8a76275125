"""GET /api/usage: what the X calls cost, per client and per X app, this month and last."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors

_ROW = {"micros": serializers.IntegerField(), "usd": serializers.CharField(), "calls": serializers.IntegerField(),
        "monthly_cap_usd": serializers.CharField(allow_null=True, help_text="The monthly spend cap, if any.")}
_MONTH = inline_serializer("UsageMonth", {
    "from": serializers.DateTimeField(), "until": serializers.DateTimeField(),
    "micros": serializers.IntegerField(), "usd": serializers.CharField(),
    "clients": inline_serializer("UsageClient", {"client": serializers.CharField(allow_null=True),
                                                 "username": serializers.CharField(allow_null=True), **_ROW}, many=True),
    "x_apps": inline_serializer("UsageApp", {"x_app": serializers.CharField(), "name": serializers.CharField(),
                                             **_ROW}, many=True),
})


class UsageView(APIView):
    """Spend on X's pay-per-use pricing (amounts in micro-dollars and as text): staff see everyone,
    a reseller their clients, a client their own accounts."""

    @extend_schema(responses=inline_serializer("Usage", {"this_month": _MONTH, "last_month": _MONTH}))
    def get(self, request):
        return Response(selectors.usage(request.user))
