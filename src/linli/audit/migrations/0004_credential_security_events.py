from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_security_event_kinds"),
    ]

    operations = [
        migrations.AlterField(
            model_name="securityevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("login", "Login"),
                    ("login_failed", "Failed login"),
                    ("lockout", "Account locked"),
                    ("logout", "Logout"),
                    ("access_denied", "Access denied"),
                    ("unlock", "Account unlocked"),
                    ("password_changed", "Password changed"),
                    ("password_reset", "Password reset by the administrator"),
                    ("token_issued", "API token issued"),
                    ("token_revoked", "API token revoked"),
                    ("login_throttled", "Sign-in refused: wait before trying again"),
                    ("session_expired", "Session ended: maximum length reached"),
                    ("request_filed", "Account request filed"),
                    ("request_approved", "Account request approved"),
                    ("request_rejected", "Account request rejected"),
                    ("request_cancelled", "Account request withdrawn"),
                    ("password_set_with_codes", "Password set with the two codes"),
                    ("second_factor_enrolled", "Authenticator set up"),
                    ("second_factor_failed", "Wrong second-factor code"),
                    ("second_factor_removed", "Second factor removed"),
                    ("recovery_code_used", "Recovery code used"),
                    ("recovery_codes_renewed", "New recovery codes"),
                ],
                db_index=True,
                max_length=32,
                verbose_name="event",
            ),
        ),
    ]
