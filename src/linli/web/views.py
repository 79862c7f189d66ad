from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from linli.web.overview import overview_for
from linli.web.todo import todo_for


@login_required
def home(request):
    return render(
        request,
        "home.html",
        {"todo": todo_for(request.user), "figures": overview_for(request.user)},
    )
