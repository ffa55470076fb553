from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q


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
