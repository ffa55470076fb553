from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from collab.projects.models import Goal, Project


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    projects = Project.objects.select_related("marketing_sponsor", "it_sponsor").order_by("rank", "name")
    return render(request, "projects/index.html", {"projects": projects})


@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(Project.objects.select_related("marketing_sponsor", "it_sponsor"), pk=pk)
    return render(request, "projects/detail.html", {"project": project})


@require_GET
def goal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    goal = get_object_or_404(Goal, pk=pk)
    return render(request, "projects/goal_detail.html", {"goal": goal})
