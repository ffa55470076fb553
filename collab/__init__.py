"""Collab: the shared IT–marketing workspace (the Django project package)."""

from collab.celery import app as celery_app

__all__ = ("celery_app",)
