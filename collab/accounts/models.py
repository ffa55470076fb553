from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Department(models.TextChoices):
    IT = "it", "IT"
    MARKETING = "marketing", "Marketing"
    SALES = "sales", "Sales"
    CUSTOMER_SERVICE = "customer_service", "Customer service"
    FINANCE = "finance", "Finance"
    OTHER = "other", "Other"


class Role(models.TextChoices):
    MEMBER = "member", "Member"
    LIAISON = "liaison", "Liaison"
    EXECUTIVE = "executive", "Executive"
    ADMIN = "admin", "Admin"


def parse_choice(value: object, choices: type[Department] | type[Role]) -> str | None:
    """A department or role as people write it — its value or its label, in any case (``it``, ``IT``,
    ``Marketing``) — or None. One reading for the people import and the single sign-on claims."""
    wanted = str(value).strip().lower()
    for choice in choices:
        if wanted in (choice.value.lower(), str(choice.label).lower()):
            return choice.value
    return None


def relationship_leads() -> Q:
    """Executives, liaisons and department heads: the short list person pickers offer at any company size."""
    return Q(role__in=[Role.EXECUTIVE, Role.LIAISON]) | Q(is_department_head=True)


class UserQuerySet(models.QuerySet["User"]):
    def active(self) -> UserQuerySet:
        return self.filter(is_active=True)

    def executives(self) -> UserQuerySet:
        return self.active().filter(role=Role.EXECUTIVE)

    def heads_of(self, departments: list[str] | tuple[str, ...] | set[str]) -> UserQuerySet:
        return self.active().filter(is_department_head=True, department__in=list(departments))

    def in_department(self, department: str) -> UserQuerySet:
        return self.active().filter(department=department)


class CollabUserManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    pass


class User(AbstractUser):
    """A person at the company. ``collab.User`` of the design card."""

    department = models.CharField(max_length=32, choices=Department.choices, default=Department.OTHER)
    job_title = models.CharField(max_length=120, blank=True)
    time_zone = models.CharField(max_length=64, default="UTC", help_text="Times are shown in this zone.")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    is_department_head = models.BooleanField(default=False, help_text="Signs off requirements for this department.")
    sso_subject = models.CharField(
        max_length=255,
        null=True,
        blank=True,
        unique=True,
        verbose_name="SSO subject",
        help_text=(
            "The identity provider's id for this person (OIDC 'sub'), set at the first single sign-on. "
            "Administrator accounts are never linked by email: fill it in here to link one."
        ),
    )
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports", help_text="Reports to."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CollabUserManager()  # type: ignore[misc]

    class Meta:
        ordering = ("first_name", "last_name", "username")
        constraints = [
            models.UniqueConstraint(
                fields=["department"],
                condition=Q(is_department_head=True, is_active=True),
                name="accounts_one_active_head_per_department",
                violation_error_message="This department already has an active head.",
            ),
            models.CheckConstraint(
                condition=Q(role__in=[r.value for r in Role]),
                name="accounts_user_role_valid",
                violation_error_message="Unknown role.",
            ),
            models.CheckConstraint(
                condition=Q(department__in=[d.value for d in Department]),
                name="accounts_user_department_valid",
                violation_error_message="Unknown department.",
            ),
            models.CheckConstraint(
                condition=~Q(manager=models.F("pk")),
                name="accounts_user_not_own_manager",
                violation_error_message="Nobody is their own manager.",
            ),
        ]
        indexes = [models.Index(fields=["department", "role"], name="accounts_user_dept_role")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_executive(self) -> bool:
        return self.role == Role.EXECUTIVE

    @property
    def is_liaison(self) -> bool:
        return self.role == Role.LIAISON

    @property
    def is_admin_role(self) -> bool:
        return self.role == Role.ADMIN or self.is_superuser


# --- personal API tokens -------------------------------------------------------------------
TOKEN_PREFIX = "collab_"  # noqa: S105 - the public start of every token, not a secret
TOKEN_DEFAULT_DAYS = 90
TOKEN_MAX_DAYS = 365


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def for_user(self, user: Any) -> ApiTokenQuerySet:
        return self.filter(user=user)


class ApiToken(models.Model):
    """A personal token for the REST API. Only a SHA-256 of its secret is stored: the plaintext
    (``collab_<prefix>_<secret>``) is shown once, when it is made. A token acts as its user, never more."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. 'deploy script'.")
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    hashed_secret = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="accounts_apitoken_expires_after_creation",
                violation_error_message="A token expires after it is made.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def clean(self) -> None:
        super().clean()
        if self.expires_at and self.created_at:
            if self.expires_at <= self.created_at:
                raise ValidationError({"expires_at": "The expiry date must be in the future."})
            if self.expires_at > self.created_at + timedelta(days=TOKEN_MAX_DAYS + 1):
                raise ValidationError({"expires_at": f"A token lives at most {TOKEN_MAX_DAYS} days."})

    def is_usable(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "active" if self.is_usable(timezone.now()) else "expired"
