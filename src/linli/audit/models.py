"""Append-only logs: the audit trail of changes and the security log of access events.

Rows are written once by :mod:`linli.audit.services` and never changed: ``save`` on an
existing row, ``delete``, and queryset ``update``/``delete`` raise. Database triggers refuse
UPDATE (and DELETE on PostgreSQL) as well, and the application's PostgreSQL role may only
SELECT and INSERT there (``audit_db_roles``).

Each row is sealed into a keyed hash chain as it is appended (:mod:`linli.audit.chain`): its
``seq`` and ``chain_hash`` bind it to every row before it, so ``linli manage audit_verify``
finds a row changed, removed or slipped in by whoever bypasses all of the above.
"""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.permissions import RestrictedQuerySet


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove a log record."""


class AppendOnlyQuerySet(RestrictedQuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("log records are append-only")

    def delete(self):
        raise AppendOnlyError("log records are append-only")

    _raw_delete = delete


class ChainedQuerySet(AppendOnlyQuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        from linli.audit import chain

        objs = list(objs)
        with transaction.atomic(using=self.db):
            chain.seal(self.model, objs, using=self.db)
            created = super().bulk_create(objs, *args, **kwargs)
            chain.after_append(self.model, objs, using=self.db)
        return created


class ChainedModel(models.Model):
    """A row of a hash chain: its place (``seq``, from 1) and the keyed hash that binds it to
    the row before (see :mod:`linli.audit.chain`).

    Empty values (None, "", {}, []) are left out of the hash, so a field added later with an
    empty default leaves the rows sealed before it verifiable; give new fields such a default.
    """

    seq = models.BigIntegerField(_("sequence"), unique=True, null=True, editable=False)
    chain_hash = models.CharField(_("chain hash"), max_length=64, editable=False)

    class Meta:
        abstract = True


class AppendOnlyModel(ChainedModel):
    objects = ChainedQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        from linli.audit import chain

        if not self._state.adding:
            raise AppendOnlyError("log records are append-only")
        using = kwargs.get("using") or "default"
        with transaction.atomic(using=using):
            chain.seal(type(self), [self], using=using)
            super().save(*args, **kwargs)
            chain.after_append(type(self), [self], using=using)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("log records are append-only")


class AuditAction(models.TextChoices):
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    DELETE = "delete", _("Delete")
    TRANSITION = "transition", _("Workflow transition")


class AuditRecord(AppendOnlyModel):
    # Set before the row is sealed (auto_now_add would set it after the hash was taken).
    time = models.DateTimeField(_("time"), default=timezone.now, editable=False, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_username = models.CharField(_("actor username"), max_length=150, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, db_index=True)
    client_ip = models.GenericIPAddressField(_("client IP"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=AuditAction.choices)
    transition = models.CharField(_("transition"), max_length=64, blank=True)
    object_type = models.CharField(_("object type"), max_length=64, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, db_index=True)
    object_repr = models.CharField(_("object"), max_length=200)
    before = models.JSONField(_("before"), null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(_("after"), null=True, blank=True, encoder=DjangoJSONEncoder)

    scope_path = None

    class Meta:
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        ordering = ["-time", "-id"]

    def __str__(self) -> str:
        return (
            f"{self.time:%Y-%m-%d %H:%M:%S} {self.actor_username} {self.action} {self.object_repr}"
        )

    @property
    def object_type_label(self) -> str:
        from linli.audit.labels import model_label

        return model_label(self.object_type)

    @property
    def transition_label(self) -> str:
        from linli.audit.labels import transition_label

        return transition_label(self.object_type, self.transition)


class SecurityEventKind(models.TextChoices):
    LOGIN = "login", _("Login")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOCKOUT = "lockout", _("Account locked")
    LOGOUT = "logout", _("Logout")
    ACCESS_DENIED = "access_denied", _("Access denied")
    UNLOCK = "unlock", _("Account unlocked")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    PASSWORD_RESET = "password_reset", _("Password reset by the administrator")
    TOKEN_ISSUED = "token_issued", _("API token issued")
    TOKEN_REVOKED = "token_revoked", _("API token revoked")
    LOGIN_THROTTLED = "login_throttled", _("Sign-in refused: wait before trying again")
    SESSION_EXPIRED = "session_expired", _("Session ended: maximum length reached")
    REQUEST_FILED = "request_filed", _("Account request filed")
    REQUEST_APPROVED = "request_approved", _("Account request approved")
    REQUEST_REJECTED = "request_rejected", _("Account request rejected")
    REQUEST_CANCELLED = "request_cancelled", _("Account request withdrawn")
    PASSWORD_SET_WITH_CODES = "password_set_with_codes", _("Password set with the two codes")
    SECOND_FACTOR_ENROLLED = "second_factor_enrolled", _("Authenticator set up")
    SECOND_FACTOR_FAILED = "second_factor_failed", _("Wrong second-factor code")
    SECOND_FACTOR_REMOVED = "second_factor_removed", _("Second factor removed")
    RECOVERY_CODE_USED = "recovery_code_used", _("Recovery code used")
    RECOVERY_CODES_RENEWED = "recovery_codes_renewed", _("New recovery codes")


class SecurityEvent(AppendOnlyModel):
    time = models.DateTimeField(_("time"), default=timezone.now, editable=False, db_index=True)
    kind = models.CharField(
        _("event"), max_length=32, choices=SecurityEventKind.choices, db_index=True
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("user"),
    )
    username = models.CharField(_("username"), max_length=150, blank=True, db_index=True)
    request_id = models.CharField(_("request id"), max_length=64)
    client_ip = models.GenericIPAddressField(_("client IP"), null=True, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    scope_path = None

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        ordering = ["-time", "-id"]

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M:%S} {self.kind} {self.username}"

    @property
    def detail_text(self) -> str:
        from linli.audit.labels import detail_text

        return detail_text(self.detail)


class AuditCheckpoint(models.Model):
    """A signed statement that a log's chain had ``seq`` rows ending in ``chain_hash``.

    Written every ``AUDIT_CHECKPOINT_EVERY`` rows in the appending transaction. Rows removed
    from the end of a log, back past a checkpoint, leave the checkpoint pointing at nothing.
    """

    time = models.DateTimeField(_("time"), default=timezone.now, editable=False)
    log = models.CharField(_("log"), max_length=64)
    seq = models.BigIntegerField(_("sequence"))
    chain_hash = models.CharField(_("chain hash"), max_length=64)
    signature = models.CharField(_("signature"), max_length=64)

    objects = AppendOnlyQuerySet.as_manager()
    scope_path = None

    class Meta:
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")
        constraints = [
            models.UniqueConstraint(fields=["log", "seq"], name="audit_checkpoint_log_seq")
        ]

    def __str__(self) -> str:
        return f"{self.log} #{self.seq}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("checkpoints are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("checkpoints are append-only")
