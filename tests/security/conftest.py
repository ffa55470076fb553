"""The payload-filled world of the XSS suite is shared with the permission matrix."""

from tests.api.conftest import api_as, token_for  # noqa: F401 - fixtures, used by name
from tests.security.test_xss import world  # noqa: F401 - a fixture, used by name
