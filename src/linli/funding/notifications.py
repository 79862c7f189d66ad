"""In-app notifications and e-mail on each step of the workflow, and the daily digest.

E-mail goes through Django's mail API (``EMAIL_BACKEND``) after the transaction commits, so
a rolled-back step sends nothing; a mail failure never undoes a step.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail, send_mass_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.funding.models import Application, Notification


def recipients(application: Application, role: str, department: str = "") -> list[User]:
    """Active users of ``role`` whose data scope covers the application's office."""
    users = User.objects.filter(role=role, is_active=True).select_related("jurisdiction")
    if department:
        users = users.filter(department=department)
    path = application.jurisdiction.path
    return [u for u in users if path.startswith(u.jurisdiction.path)]


def notify(users: Iterable[User], application: Application, message: str) -> None:
    users = list({u.pk: u for u in users}.values())
    Notification.objects.bulk_create(
        Notification(recipient=u, application=application, message=message[:300]) for u in users
    )
    addressed = [u.email for u in users if u.email]
    if addressed:
        subject = f"[linli] {application.name}"
        body = f"{message}\n\n{application.name}"
        transaction.on_commit(
            lambda: send_mail(
                subject, body, settings.DEFAULT_FROM_EMAIL, addressed, fail_silently=True
            )
        )


def unread(user: User):
    return Notification.objects.filter(recipient=user, read_at__isnull=True)


def mark_read(user: User) -> int:
    return unread(user).update(read_at=timezone.now())


def send_digest(since) -> int:
    """One e-mail per user listing the notifications since ``since``; returns the count sent."""
    messages = []
    pending = (
        Notification.objects.filter(created_at__gte=since, read_at__isnull=True)
        .exclude(recipient__email="")
        .select_related("recipient", "application")
        .order_by("recipient", "created_at")
    )
    by_user: dict[int, list[Notification]] = {}
    for note in pending:
        by_user.setdefault(note.recipient_id, []).append(note)
    for notes in by_user.values():
        user = notes[0].recipient
        lines = [f"- {n.message} ({n.application})" for n in notes]
        subject = _("[linli] Funding workflow: %(count)d new items") % {"count": len(notes)}
        messages.append((subject, "\n".join(lines), settings.DEFAULT_FROM_EMAIL, [user.email]))
    return send_mass_mail(messages, fail_silently=True) if messages else 0


# Days before the land-use grace of 121号 三(十) ends on which the offices are told.
GRACE_REMINDER_DAYS = (180, 30)


def remind_land_use_grace(today) -> int:
    """Notify the district and the street of each project whose land-use grace ends in one of
    :data:`GRACE_REMINDER_DAYS` days (run daily, with the digest); returns how many."""
    from linli.accounts.roles import Role
    from linli.funding.models import SubsidyApproval

    due = SubsidyApproval.objects.filter(
        land_use_grace_expiry__in=[today + timedelta(days=d) for d in GRACE_REMINDER_DAYS]
    ).select_related("application__jurisdiction")
    for approval in due:
        application = approval.application
        notify(
            recipients(application, Role.DISTRICT_OFFICER)
            + recipients(application, Role.STREET_OFFICER),
            application,
            _("Land-use grace period ends on %(date)s (121号 三(十))")
            % {"date": approval.land_use_grace_expiry},
        )
    return len(due)
