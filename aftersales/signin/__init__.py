"""Signing in: lockout after failed logins (django-axes), the TOTP second factor and recovery
codes (django-otp), expiring API tokens, and the sessions' idle and absolute timeouts."""
