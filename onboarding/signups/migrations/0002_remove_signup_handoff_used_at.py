"""Whether a handoff was used is read from the handoff tokens themselves (tenants), so the
signup no longer keeps its own copy."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("signups", "0001_initial"),
        ("tenants", "0007_signup_moves_to_onboarding"),
    ]

    operations = [
        migrations.RemoveField(model_name="signup", name="handoff_used_at"),
    ]
