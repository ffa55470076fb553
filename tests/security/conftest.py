"""The payload-filled world of the XSS suite is shared with the permission matrix."""

from tests.security.test_xss import world  # noqa: F401 - a fixture, used by name
