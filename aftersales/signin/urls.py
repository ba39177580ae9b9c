from django.urls import path

from aftersales.signin import api, views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/verify/", views.login_verify, name="login-verify"),
    # The admin signs in through the same login (lockout, second factor), not its own form.
    path("admin/login/", views.admin_login, name="admin-login"),
    path("password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("account/security/", views.security, name="security"),
    path("account/two-factor/", views.two_factor, name="two-factor"),
    path("account/tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
    path("account/keepalive/", views.session_keepalive, name="session-keepalive"),
    path("users/lockouts/", views.lockouts, name="signin-lockouts"),
    path("users/lockouts/unlock/", views.unlock, name="signin-unlock"),
    path("users/<int:pk>/security/", views.user_security, name="user-security"),
    path("api/auth/token/", api.TokenView.as_view(), name="api-token"),
]
