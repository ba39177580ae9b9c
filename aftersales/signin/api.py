"""POST /api/auth/token/ issues a token (the second factor's code included for a person who
has one), DELETE revokes the token the request carries."""

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from aftersales.errors import DomainError
from aftersales.signin import services, throttling
from aftersales.signin.authentication import ExpiringTokenAuthentication
from aftersales.signin.models import ApiToken
from aftersales.signin.views import address_blocked_message, lockout_message


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, style={"input_type": "password"})
    code = serializers.CharField(
        max_length=20,
        required=False,
        help_text="The current code of the authenticator app (or a recovery code): required "
        "for a person who signs in with a second factor.",
    )
    name = serializers.CharField(
        max_length=60,
        required=False,
        help_text="The device the token is for; a new token replaces that device's earlier "
        f"one. Default: {services.DEFAULT_DEVICE_NAME}.",
    )


class TokenSerializer(serializers.ModelSerializer):
    token = serializers.CharField(help_text="The key: send it as `Authorization: Token <key>`.")

    class Meta:
        model = ApiToken
        fields = ["token", "name", "expires_at"]


def _detail(name):
    return inline_serializer(name, {"detail": serializers.CharField()})


class TokenView(APIView):
    authentication_classes = [ExpiringTokenAuthentication]
    throttle_classes = [throttling.TokenRequestThrottle]

    def get_permissions(self):
        if self.request.method == "DELETE":
            return [permissions.IsAuthenticated()]
        return [permissions.AllowAny()]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(description="Wrong credentials or code, or a field missing."),
            403: OpenApiResponse(
                _detail("TokenSecondFactorMissing"),
                description="The role requires a second factor that is not set up yet.",
            ),
            429: OpenApiResponse(
                _detail("TokenRefused"),
                description="The account is locked out, or the address made too many requests.",
            ),
        },
        auth=[],
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if throttling.address_is_blocked(request):
            return Response({"detail": address_blocked_message()}, status=429)
        # django-axes' backend needs Django's request: it marks a locked-out account on it.
        django_request = request._request
        user = authenticate(django_request, username=data["username"], password=data["password"])
        if getattr(django_request, "axes_locked_out", False):
            return Response({"detail": lockout_message()}, status=429)
        if user is None:
            throttling.record_failure(request)
            return Response(
                {"non_field_errors": [_("Unable to log in with provided credentials.")]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        if services.has_second_factor(user):
            if not data.get("code"):
                return Response(
                    {"code": [_("This account signs in with a second factor: send its code.")]},
                    status=status.HTTP_400_BAD_REQUEST,
                )
            try:
                services.verify_second_factor(user=user, code=data["code"])
            except DomainError as error:
                return Response({"code": [error.message]}, status=status.HTTP_400_BAD_REQUEST)
        elif services.second_factor_required(user):
            return Response(
                {"detail": _("Set up two-factor sign-in in the browser first.")},
                status=status.HTTP_403_FORBIDDEN,
            )
        token, key = services.issue_token(
            user=user, name=data.get("name", services.DEFAULT_DEVICE_NAME)
        )
        return Response({"token": key, "name": token.name, "expires_at": token.expires_at})

    @extend_schema(
        request=None,
        responses={204: None, 401: OpenApiResponse(description="No valid token was sent.")},
    )
    def delete(self, request):
        services.revoke_token(token=request.auth, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
