"""Server-rendered catalog pages."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from apps.accounts.access import access_for_request
from apps.accounts.selectors import team_list
from apps.catalog.selectors import endpoint_list


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The signed-in person's teams and the endpoints they may see."""
    access = access_for_request(request)
    context = {
        "teams": team_list(access=access),
        "endpoints": endpoint_list(access=access),
        "sees_all_teams": access.sees_all_teams,
    }
    return render(request, "catalog/home.html", context)
