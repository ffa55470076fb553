"""Demo people: the five personas of the README and a believable company around them."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from django.contrib.auth.hashers import make_password

from collab.accounts.models import Department, Role, User
from collab.lib.demo import seeder

DEMO_PASSWORD = "demo"  # noqa: S105 - demo data only, printed by `make run`

# username, first, last, department, role, title, head, time zone
PERSONAS: list[tuple[str, str, str, str, str, str, bool, str]] = [
    ("cmo", "Claire", "Moreau", Department.MARKETING, Role.EXECUTIVE, "Chief Marketing Officer", True, "Europe/Berlin"),
    ("cio", "Ian", "Okafor", Department.IT, Role.EXECUTIVE, "Chief Information Officer", True, "Europe/London"),
    ("liaison", "Lena", "Schmidt", Department.IT, Role.LIAISON, "IT–Marketing Liaison", False, "Europe/Berlin"),
    ("member", "Max", "Berger", Department.MARKETING, Role.MEMBER, "Campaign Manager", False, "Europe/Berlin"),
]

PEOPLE: list[tuple[str, str, str, str, str, bool]] = [
    # first, last, department, title, role, head
    ("Sofia", "Alvarez", Department.MARKETING, "Head of Digital Marketing", Role.MEMBER, False),
    ("Tom", "Whitaker", Department.MARKETING, "Marketing Operations Lead", Role.MEMBER, False),
    ("Priya", "Nair", Department.MARKETING, "Content Strategist", Role.MEMBER, False),
    ("Jonas", "Keller", Department.MARKETING, "Performance Marketing Manager", Role.MEMBER, False),
    ("Amara", "Osei", Department.MARKETING, "Brand Manager", Role.MEMBER, False),
    ("Lucas", "Ferreira", Department.MARKETING, "Marketing Analyst", Role.MEMBER, False),
    ("Hannah", "Cole", Department.MARKETING, "Events Manager", Role.MEMBER, False),
    ("Noah", "Lindqvist", Department.MARKETING, "SEO Specialist", Role.MEMBER, False),
    ("Elif", "Demir", Department.MARKETING, "Email Marketing Specialist", Role.LIAISON, False),
    ("Raj", "Patel", Department.IT, "Head of Enterprise Applications", Role.MEMBER, False),
    ("Grace", "Liu", Department.IT, "Data Platform Lead", Role.MEMBER, False),
    ("Daniel", "Novak", Department.IT, "Security Architect", Role.MEMBER, False),
    ("Fatima", "Haddad", Department.IT, "Integration Engineer", Role.MEMBER, False),
    ("Oliver", "Brandt", Department.IT, "Service Desk Manager", Role.MEMBER, False),
    ("Mei", "Tanaka", Department.IT, "Web Platform Engineer", Role.MEMBER, False),
    ("Samuel", "Adeyemi", Department.IT, "CRM Administrator", Role.MEMBER, False),
    ("Isabel", "Romero", Department.IT, "Business Analyst", Role.MEMBER, False),
    ("Victor", "Hansen", Department.IT, "Infrastructure Lead", Role.MEMBER, False),
    ("Chloe", "Martin", Department.SALES, "VP Sales", Role.EXECUTIVE, True),
    ("Ben", "Fischer", Department.SALES, "Sales Operations Manager", Role.MEMBER, False),
    ("Aisha", "Khan", Department.SALES, "Account Executive", Role.MEMBER, False),
    ("Marco", "Rossi", Department.SALES, "Sales Development Lead", Role.MEMBER, False),
    ("Julia", "Nowak", Department.CUSTOMER_SERVICE, "Head of Customer Service", Role.MEMBER, True),
    ("Kwame", "Mensah", Department.CUSTOMER_SERVICE, "Support Team Lead", Role.MEMBER, False),
    ("Sara", "Lund", Department.CUSTOMER_SERVICE, "Customer Success Manager", Role.MEMBER, False),
    ("Emma", "Dubois", Department.CUSTOMER_SERVICE, "Support Specialist", Role.MEMBER, False),
    ("Robert", "Klein", Department.FINANCE, "CFO", Role.EXECUTIVE, True),
    ("Nina", "Petrova", Department.FINANCE, "Financial Controller", Role.MEMBER, False),
    ("Ahmed", "Hassan", Department.FINANCE, "Procurement Manager", Role.MEMBER, False),
    ("Laura", "Bianchi", Department.OTHER, "Legal Counsel", Role.MEMBER, False),
    ("Paul", "Sørensen", Department.OTHER, "HR Business Partner", Role.MEMBER, False),
    ("Yuki", "Sato", Department.MARKETING, "Product Marketing Manager", Role.MEMBER, False),
    ("Diego", "Morales", Department.IT, "Solutions Architect", Role.MEMBER, False),
    ("Olivia", "Grant", Department.MARKETING, "Social Media Manager", Role.MEMBER, False),
    ("Felix", "Wagner", Department.IT, "QA Engineer", Role.MEMBER, False),
    ("Zara", "Ahmed", Department.SALES, "Partner Manager", Role.MEMBER, False),
]


def _username(first: str, last: str) -> str:
    return f"{first}.{last}".lower().replace("ø", "o")


@cache
def _demo_password_hash() -> str:
    """Hashed once per run: the demo password is public, and hashing it afresh for each of ~30 people took 11 s of
    every ``seed_demo`` (PBKDF2 is slow on purpose). Real accounts still get their own salt."""
    return make_password(DEMO_PASSWORD)


def _upsert(username: str, **fields: object) -> User:
    user, created = User.objects.get_or_create(username=username, defaults=fields)
    if created:
        user.password = _demo_password_hash()
        user.save(update_fields=["password"])
    return user


@seeder(order=10, name="people")
def seed_people(say: Callable[[str], None]) -> None:
    for username, first, last, dept, role, title, head, tz in PERSONAS:
        _upsert(
            username,
            first_name=first,
            last_name=last,
            department=dept,
            role=role,
            job_title=title,
            is_department_head=head,
            time_zone=tz,
            email=f"{username}@example.com",
        )
    for first, last, dept, title, role, head in PEOPLE:
        username = _username(first, last)
        _upsert(
            username,
            first_name=first,
            last_name=last,
            department=dept,
            role=role,
            job_title=title,
            is_department_head=head,
            time_zone="Europe/London",
            email=f"{username}@example.com",
        )
    admin = _upsert(
        "admin",
        first_name="Ada",
        last_name="Admin",
        department=Department.IT,
        role=Role.ADMIN,
        job_title="Collab administrator",
        email="admin@example.com",
        is_staff=True,
        is_superuser=True,
    )
    if not (admin.is_staff and admin.is_superuser):
        admin.is_staff = admin.is_superuser = True
        admin.save(update_fields=["is_staff", "is_superuser"])
    say(f"people: {User.objects.count()} users")
