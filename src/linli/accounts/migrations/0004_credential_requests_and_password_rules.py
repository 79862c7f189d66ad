import django.db.models.deletion
import django_fsm
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def passwords_count_from_now(apps, schema_editor):
    """Existing passwords start their age today (not all at once expired)."""
    apps.get_model("accounts", "User").objects.update(password_changed_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_must_change_password"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="password_changed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="password changed"),
        ),
        migrations.CreateModel(
            name="PasswordHistory",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("password", models.CharField(max_length=128)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="password_history",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="CredentialRequest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("new_account", "New account"),
                            ("password_reset", "Password reset"),
                            ("second_factor_reset", "Second factor reset"),
                            ("api_token", "API token"),
                        ],
                        max_length=32,
                        verbose_name="request",
                    ),
                ),
                (
                    "state",
                    django_fsm.FSMField(
                        choices=[
                            ("pending", "Waiting for approval"),
                            ("approved", "Approved, waiting for the user"),
                            ("completed", "Completed"),
                            ("rejected", "Rejected"),
                            ("cancelled", "Withdrawn"),
                        ],
                        default="pending",
                        max_length=50,
                        protected=True,
                        verbose_name="state",
                    ),
                ),
                ("reason", models.CharField(blank=True, max_length=300, verbose_name="reason")),
                ("requested_at", models.DateTimeField(auto_now_add=True, verbose_name="requested")),
                ("decided_at", models.DateTimeField(blank=True, null=True, verbose_name="decided")),
                (
                    "decision_note",
                    models.CharField(blank=True, max_length=300, verbose_name="note"),
                ),
                ("first_code", models.CharField(blank=True, max_length=64)),
                ("second_code", models.CharField(blank=True, max_length=64)),
                (
                    "codes_expire_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="codes expire"),
                ),
                (
                    "completed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="completed"),
                ),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="decided by",
                    ),
                ),
                (
                    "requested_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="requested by",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="credential_requests",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="account",
                    ),
                ),
            ],
            options={
                "verbose_name": "account request",
                "verbose_name_plural": "account requests",
                "ordering": ["-requested_at", "-id"],
                "permissions": [("approve_credentialrequest", "Can approve account requests")],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("state__in", ["pending", "approved"])),
                        fields=("user", "kind"),
                        name="one_open_credential_request_per_kind",
                    )
                ],
            },
            bases=(django_fsm.FSMModelMixin, models.Model),
        ),
        migrations.RunPython(passwords_count_from_now, migrations.RunPython.noop),
    ]
