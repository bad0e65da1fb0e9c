"""Sign-in, password reset, user settings and the profile on a workspace host."""

from django.contrib.auth import views as auth_views
from django.urls import path

from tenants.users import views

urlpatterns = [
    path("login/", views.WorkspaceLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", views.WorkspacePasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="users/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        views.WorkspacePasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="users/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path("settings/users/", views.users_settings, name="users_settings"),
    path("settings/users/invite/", views.invitation_create, name="invitation_create"),
    path(
        "settings/invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("settings/users/<int:user_id>/deactivate/", views.user_deactivate, name="user_deactivate"),
    path("settings/users/<int:user_id>/reactivate/", views.user_reactivate, name="user_reactivate"),
    path("settings/users/<int:user_id>/role/", views.user_change_role, name="user_change_role"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("profile/", views.profile, name="profile"),
    path("profile/name/", views.profile_name, name="profile_name"),
    path("profile/email/", views.profile_email, name="profile_email"),
    path("profile/email/cancel/", views.profile_email_cancel, name="profile_email_cancel"),
    path("profile/email/confirm/<str:token>/", views.email_confirm, name="email_confirm"),
    path(
        "profile/email/verify/", views.email_verification_resend, name="email_verification_resend"
    ),
    path(
        "profile/email/verify/hide/",
        views.verification_banner_hide,
        name="verification_banner_hide",
    ),
    path("profile/password/", views.profile_password, name="profile_password"),
    path("profile/preferences/", views.profile_preferences, name="profile_preferences"),
    path("profile/notifications/", views.profile_notifications, name="profile_notifications"),
    path("profile/sessions/<int:session_id>/end/", views.session_end, name="session_end"),
    path("profile/sessions/end-others/", views.sessions_end_others, name="sessions_end_others"),
]
