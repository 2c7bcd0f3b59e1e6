"""DRF authentication by a named API token (`Authorization: Token <key>`).

The header is the one DRF's single authtoken used, so existing clients keep
working; only the token's shape in the database changed (hashed, many per user).
"""

from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from accounts.models import APIToken, hash_key


class APITokenAuthentication(TokenAuthentication):
    keyword = "Token"

    def authenticate_credentials(self, key):
        token = APIToken.objects.select_related("user").filter(key_hash=hash_key(key)).first()
        if token is None:
            raise AuthenticationFailed("Invalid token.")
        if token.revoked_at is not None:
            raise AuthenticationFailed("This token was revoked.")
        if token.is_expired:
            raise AuthenticationFailed("This token has expired: make a new one.")
        if not token.user.is_active:
            raise AuthenticationFailed("User inactive or deleted.")
        return token.user, token
