from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

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
    # Set when an administrator chose the password (a new account, a reset): the user must
    # replace it before doing anything else (等保: initial passwords are changed at first use).
    must_change_password = models.BooleanField(_("must change password"), default=False)

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
                condition=models.Q(role="city_department", department__gt="")
                | (~models.Q(role="city_department") & models.Q(department="")),
            )
        ]

    def __str__(self) -> str:
        return self.display_name or self.username
