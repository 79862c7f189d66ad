"""Residents, their family members, consent records, one-time codes, notices and the log of
every clear view of a sensitive field.

Scope (DESIGN.md §8): a resident sees their own records (``owner_path``, read by
:func:`linli.core.permissions.restrict`); the community desk sees the residents of its
jurisdiction (``scope_path``). Sensitive fields are tagged on the model (``SENSITIVE_FIELDS``);
a child member's every field is sensitive (PIPL 第二十八条).
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.permissions import RestrictedQuerySet
from linli.residents.choices import CodePurpose, ConsentKind, ConsentMethod, Relation

# PIPL 第二十八条 / 第三十一条: a person under this age is a child whose data is sensitive.
CHILD_AGE = 14


def age_on(birth_date: date, today: date) -> int:
    before_birthday = (today.month, today.day) < (birth_date.month, birth_date.day)
    return today.year - birth_date.year - before_birthday


class Resident(models.Model):
    """A person who uses the services: signed up with a phone, or registered at the desk."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="resident",
        verbose_name=_("account"),
    )
    name = models.CharField(_("name"), max_length=64)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    id_number = models.CharField(
        _("ID card number"),
        max_length=18,
        blank=True,
        help_text=_("Only when the desk needs it to tell two people apart."),
    )
    jurisdiction = models.ForeignKey(
        "registry.Jurisdiction",
        on_delete=models.PROTECT,
        related_name="residents",
        verbose_name=_("community"),
    )
    compound = models.ForeignKey(
        "registry.Compound",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="residents",
        verbose_name=_("residential compound"),
    )
    registered_at_desk = models.BooleanField(_("registered at the community desk"), default=False)
    created_at = models.DateTimeField(_("registered"), default=timezone.now)
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_path = "jurisdiction__path"
    owner_path = "user"
    SENSITIVE_FIELDS = ("id_number",)
    MASKED_FIELDS = ("phone", "id_number")

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["jurisdiction__path", "name", "pk"]
        permissions = [
            ("reveal_resident", _("Can see residents' phone and ID number in clear")),
            ("portal_resident", _("Can use the residents' own pages")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["phone"],
                condition=~models.Q(phone=""),
                name="one_resident_per_phone",
                violation_error_message=_(
                    "Mobile phone: this number is already registered; sign in with it instead."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def masked_phone(self) -> str:
        from linli.residents.privacy import mask_phone

        return mask_phone(self.phone)


class FamilyMember(models.Model):
    """Someone a resident books for: an elderly parent, a child."""

    resident = models.ForeignKey(
        Resident, on_delete=models.CASCADE, related_name="members", verbose_name=_("resident")
    )
    name = models.CharField(_("name"), max_length=64)
    relation = models.CharField(_("relation"), max_length=16, choices=Relation.choices)
    birth_date = models.DateField(_("date of birth"))
    id_number = models.CharField(_("ID card number"), max_length=18, blank=True)
    health_notes = models.CharField(
        _("health or disability notes"),
        max_length=300,
        blank=True,
        help_text=_("Only what the service needs to know (allergies, mobility)."),
    )

    objects = RestrictedQuerySet.as_manager()
    scope_path = "resident__jurisdiction__path"
    owner_path = "resident__user"
    SENSITIVE_FIELDS = ("id_number", "health_notes")
    CHILD_SENSITIVE_FIELDS = ("name", "birth_date", "id_number", "health_notes")

    class Meta:
        verbose_name = _("family member")
        verbose_name_plural = _("family members")
        ordering = ["resident", "birth_date", "pk"]

    def __str__(self) -> str:
        return self.name

    def age(self, today: date | None = None) -> int:
        return age_on(self.birth_date, today or timezone.localdate())

    def is_child(self, today: date | None = None) -> bool:
        return self.age(today) < CHILD_AGE

    def sensitive_fields(self) -> tuple[str, ...]:
        return self.CHILD_SENSITIVE_FIELDS if self.is_child() else self.SENSITIVE_FIELDS


class Consent(models.Model):
    """One consent, for one purpose; a withdrawn consent stays on record with its date."""

    resident = models.ForeignKey(
        Resident, on_delete=models.CASCADE, related_name="consents", verbose_name=_("resident")
    )
    member = models.ForeignKey(
        FamilyMember,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="consents",
        verbose_name=_("family member"),
    )
    kind = models.CharField(_("consent"), max_length=16, choices=ConsentKind.choices)
    purpose = models.CharField(_("purpose"), max_length=200)
    policy_version = models.CharField(_("privacy notice version"), max_length=20)
    method = models.CharField(_("how"), max_length=16, choices=ConsentMethod.choices)
    given_at = models.DateTimeField(_("given"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_path = "resident__jurisdiction__path"
    owner_path = "resident__user"

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="guardian_consent_names_the_child",
                condition=~models.Q(kind="guardian") | models.Q(member__isnull=False),
                violation_error_message=_(
                    "Family member: a guardian's consent must name the child it is for."
                ),
            ),
            models.UniqueConstraint(
                fields=["resident", "kind"],
                condition=models.Q(withdrawn_at__isnull=True, member__isnull=True),
                name="one_standing_consent_per_kind",
                violation_error_message=_("Consent: this consent is already given."),
            ),
            models.UniqueConstraint(
                fields=["resident", "member", "kind"],
                condition=models.Q(withdrawn_at__isnull=True, member__isnull=False),
                name="one_standing_member_consent_per_kind",
                violation_error_message=_("Consent: this consent is already given."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.member or self.resident}"


class OneTimeCode(models.Model):
    """A code sent to a phone to sign up or sign in; kept as a keyed hash only."""

    phone = models.CharField(max_length=20, db_index=True)
    purpose = models.CharField(max_length=16, choices=CodePurpose.choices)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.purpose} {self.created_at:%Y-%m-%d %H:%M}"


class Notice(models.Model):
    """What the platform told a resident (booking confirmed, reminder, promoted…), as sent."""

    resident = models.ForeignKey(
        Resident, on_delete=models.CASCADE, related_name="notices", verbose_name=_("resident")
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    channel = models.CharField(_("sent by"), max_length=32)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_path = "resident__jurisdiction__path"
    owner_path = "resident__user"

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.subject


class AppendOnlyQuerySet(RestrictedQuerySet):
    def update(self, **kwargs):
        raise PermissionError("the personal-data view log is append-only")

    def delete(self):
        raise PermissionError("the personal-data view log is append-only")


# The auditor reads the record and field seen in words, not code names.
SENSITIVE_FIELD_LABELS = {
    "name": _("name"),
    "phone": _("mobile phone"),
    "id_number": _("ID card number"),
    "birth_date": _("date of birth"),
    "health_notes": _("health or disability notes"),
}
SENSITIVE_RECORD_LABELS = {"resident": _("resident"), "familymember": _("family member")}


class SensitiveView(models.Model):
    """Who saw which sensitive field of whom, when (PIPL; visible to the auditor).

    Whose: the resident's and member's ids, not their names, so that erasing a person leaves
    the fact of each view and nothing of the data.
    """

    time = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("viewer"),
    )
    viewer_username = models.CharField(_("viewer"), max_length=150)
    viewer_role = models.CharField(_("role"), max_length=32)
    resident_ref = models.PositiveBigIntegerField(_("resident number"), db_index=True)
    member_ref = models.PositiveBigIntegerField(_("family member number"), null=True, blank=True)
    model = models.CharField(_("record"), max_length=64)
    field = models.CharField(_("field"), max_length=64)
    page = models.CharField(_("page"), max_length=200)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)

    objects = AppendOnlyQuerySet.as_manager()
    scope_path = None

    class Meta:
        verbose_name = _("sensitive field view")
        verbose_name_plural = _("sensitive field views")
        ordering = ["-time", "-pk"]

    def __str__(self) -> str:
        return f"{self.viewer_username} · {self.model}.{self.field} · {self.resident_ref}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("the personal-data view log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("the personal-data view log is append-only")

    @property
    def role_label(self) -> str:
        from linli.accounts.roles import Role

        known = self.viewer_role in Role.values
        return str(Role(self.viewer_role).label) if known else self.viewer_role

    @property
    def record_label(self) -> str:
        return str(SENSITIVE_RECORD_LABELS.get(self.model, self.model))

    @property
    def field_label(self) -> str:
        return str(SENSITIVE_FIELD_LABELS.get(self.field, self.field))


from linli.residents.models_bookings import Booking, Rating, Series, Session  # noqa: E402,F401
