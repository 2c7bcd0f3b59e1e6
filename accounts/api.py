"""`POST /api/auth/token/`: a username and password for a new API token.

Kept for the clients written against DRF's single authtoken endpoint: the
same request and the same `{"token": ...}` answer. Each call now makes a
new named token (listed and revocable on the account page), and the login
goes through django-axes, so guessing passwords here locks out like the
login page does (429 with Retry-After).
"""

from django.contrib.auth import authenticate
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.lockout import lockout_response
from accounts.models import APIToken

DEFAULT_NAME = "From POST /api/auth/token/"


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False,
                                     style={"input_type": "password"})
    name = serializers.CharField(max_length=100, required=False,
                                 help_text="A name to tell this token from others.")


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="The secret: shown only this once.")
    name = serializers.CharField()
    prefix = serializers.CharField()
    expires_at = serializers.DateTimeField(allow_null=True)


class ObtainTokenView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Make an API token from a username and password",
        request=TokenRequestSerializer,
        responses={200: TokenSerializer, 400: OpenApiResponse(description="Wrong credentials"),
                   429: OpenApiResponse(description="Locked out: see Retry-After")},
        auth=[],
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # The plain HttpRequest: django-axes marks a lock-out on it.
        django_request = request._request
        user = authenticate(django_request, username=data["username"], password=data["password"])
        if user is None:
            if getattr(django_request, "axes_locked_out", False):
                return lockout_response(django_request)
            raise serializers.ValidationError(
                {"non_field_errors": ["Unable to log in with provided credentials."]}
            )
        token, key = APIToken.issue(user=user, name=data.get("name") or DEFAULT_NAME)
        return Response(
            {"token": key, "name": token.name, "prefix": token.prefix,
             "expires_at": token.expires_at},
            status=status.HTTP_200_OK,
        )
