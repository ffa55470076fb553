from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def liaisons(request: HttpRequest) -> HttpResponse:
    return render(request, "liaison/liaisons.html")


@require_GET
def meetings(request: HttpRequest) -> HttpResponse:
    return render(request, "liaison/meetings.html")
