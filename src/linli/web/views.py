from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from linli.web.overview import overview_for
from linli.web.todo import todo_for


@login_required
def home(request):
    if getattr(request.user, "role", None) == "resident":
        return redirect("residents:portal")  # what a resident comes for: services near home
    return render(
        request,
        "home.html",
        {"todo": todo_for(request.user), "figures": overview_for(request.user)},
    )


def csrf_failure(request, reason=""):
    """A form refused by the CSRF check (expired page, another site): the site's own page,
    in the reader's language, instead of Django's English one."""
    return render(request, "403_csrf.html", status=403)
