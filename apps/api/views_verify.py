"""The verify endpoint: whether rows with given values exist, without returning any."""

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from . import query, services
from .parameters import (
    AUTHORIZATION_ONLY,
    is_slow,
    match_conditions,
    refuse_unknown,
    row_filter,
)
from .serializers import (
    AUTHORIZATION_PARAMETER,
    COMMON_ERRORS,
    VerifyInputSerializer,
    VerifyResultSerializer,
)
from .views_data import DataApiView

# Verify counts matching rows exactly up to this cap, then says "at least": the answer is about
# existence, and counting past the cap would only cost time (no COUNT over millions of rows).
VERIFY_COUNT_CAP = 1000


class DatasetVerifyApi(DataApiView):
    """Whether a row with the given values exists, and how many (counted up to
    VERIFY_COUNT_CAP): a yes/no check that returns no row data."""

    endpoint = "verify"

    @extend_schema(
        tags=["datasets"],
        operation_id="datasets_verify",
        parameters=[AUTHORIZATION_PARAMETER],
        request=VerifyInputSerializer,
        responses={200: VerifyResultSerializer, **COMMON_ERRORS},
    )
    def post(self, request: Request, identifier: str) -> Response:
        grant = self.grant(request, identifier)
        refuse_unknown(request.query_params, allowed=AUTHORIZATION_ONLY)
        data = VerifyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        match = match_conditions(grant, data.validated_data["match"])
        conditions = row_filter(grant) + match
        statement = query.verify_statement(grant.table, conditions=conditions, cap=VERIFY_COUNT_CAP)
        rows = self.run(
            grant.table,
            lambda using: query.run_statement(statement, using=using),
            slow=is_slow(match),
        )
        services.count_call(authorization=grant.authorization)
        count = int(rows[0][0])
        return Response(
            {
                "exists": count > 0,
                "count": min(count, VERIFY_COUNT_CAP),
                "count_capped": count > VERIFY_COUNT_CAP,
                "count_cap": VERIFY_COUNT_CAP,
            }
        )
