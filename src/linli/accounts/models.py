from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from linli.accounts.roles import Department, Role
from linli.core.permissions import RestrictedQuerySet


class UserQuerySet(RestrictedQuerySet):
    pass


class LinliUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """An account bound to one jurisdiction node: that node's subtree is its data scope."""

    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    department = models.CharField(
        _("department"),
        max_length=32,
        choices=Department.choices,
        blank=True,
        help_text=_("Only for city department reviewers."),
    )
    jurisdiction = models.ForeignKey(
        "registry.Jurisdiction",
        on_delete=models.PROTECT,
        related_name="users",
        verbose_name=_("jurisdiction"),
    )
    display_name = models.CharField(_("display name"), max_length=64, blank=True)
    # An operator's staff see their own operator's facilities wherever they are
    # (linli.core.permissions.restrict, ``operator_path``), not a jurisdiction's.
    operator = models.ForeignKey(
        "registry.Operator",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("operator"),
        help_text=_("Only for operator accounts: the operator whose facilities they run."),
    )
    # Set when the user must replace the password before doing anything else (等保: initial
    # passwords are changed at first use); a password past its age is treated alike.
    must_change_password = models.BooleanField(_("must change password"), default=False)
    password_changed_at = models.DateTimeField(_("password changed"), null=True, blank=True)

    objects = LinliUserManager()

    scope_path = "jurisdiction__path"
    REQUIRED_FIELDS = ["role", "jurisdiction"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [
            ("assign_role_user", _("Can assign roles and scopes")),
            ("unlock_user", _("Can unlock locked accounts")),
        ]
        constraints = [
            models.CheckConstraint(
                name="department_only_for_city_department",
                violation_error_message=_(
                    "Department: set it for a city department reviewer, and leave it empty for "
                    "every other role."
                ),
                condition=models.Q(role="city_department", department__gt="")
                | (~models.Q(role="city_department") & models.Q(department="")),
            ),
            models.CheckConstraint(
                name="operator_only_for_operator_accounts",
                condition=models.Q(operator__isnull=True) | models.Q(role="operator"),
                violation_error_message=_(
                    "Only an operator account can be tied to an operator: clear the operator "
                    "or choose the operator role."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def operator_scoped(self) -> bool:
        """Scoped by its operator record rather than by its jurisdiction (restrict)."""
        return self.role == Role.OPERATOR


class PasswordHistory(models.Model):
    """The hashes of a user's earlier passwords, so that none is chosen again (等保)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_history"
    )
    password = models.CharField(max_length=128)  # a hash, as User.password
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d}"


class RequestKind(models.TextChoices):
    NEW_ACCOUNT = "new_account", _("New account")
    PASSWORD_RESET = "password_reset", _("Password reset")
    SECOND_FACTOR_RESET = "second_factor_reset", _("Second factor reset")
    API_TOKEN = "api_token", _("API token")


class RequestState(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved, waiting for the user")
    COMPLETED = "completed", _("Completed")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Withdrawn")


class CredentialRequest(FSMModelMixin, models.Model):
    """A credential act the system administrator asks for and someone else completes (三员分立).

    New accounts and password resets are approved by the security administrator and finished by
    the user with two codes, one from each administrator (so neither alone can set the password);
    a second-factor reset takes effect on the security administrator's approval; an API token
    is confirmed by its user, who alone sees the key. Codes are kept as keyed hashes only.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="credential_requests",
        verbose_name=_("account"),
    )
    kind = models.CharField(_("request"), max_length=32, choices=RequestKind.choices)
    state = FSMField(
        _("state"), default=RequestState.PENDING, choices=RequestState.choices, protected=True
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.CharField(_("note"), max_length=300, blank=True)
    first_code = models.CharField(max_length=64, blank=True)  # keyed hash of part 1
    second_code = models.CharField(max_length=64, blank=True)  # keyed hash of part 2
    codes_expire_at = models.DateTimeField(_("codes expire"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    scope_path = "user__jurisdiction__path"

    class Meta:
        verbose_name = _("account request")
        verbose_name_plural = _("account requests")
        ordering = ["-requested_at", "-id"]
        permissions = [("approve_credentialrequest", _("Can approve account requests"))]
        constraints = [
            # One open request of a kind per account: a second would race the first.
            models.UniqueConstraint(
                fields=["user", "kind"],
                condition=models.Q(state__in=["pending", "approved"]),
                name="one_open_credential_request_per_kind",
                violation_error_message=_(
                    "This account already has an open request of this kind: finish or withdraw "
                    "that one first."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.user.username}"

    # --- transitions (called only from linli.accounts.credentials) -------------------------
    @transition(field=state, source=RequestState.PENDING, target=RequestState.APPROVED)
    def approve(self):
        pass

    @transition(field=state, source=RequestState.APPROVED, target=RequestState.COMPLETED)
    def complete(self):
        pass

    @transition(field=state, source=RequestState.PENDING, target=RequestState.REJECTED)
    def reject(self):
        pass

    @transition(
        field=state,
        source=[RequestState.PENDING, RequestState.APPROVED],
        target=RequestState.CANCELLED,
    )
    def cancel(self):
        pass
