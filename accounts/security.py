"""Security events worth a log line (failed logins are recorded by django-axes)."""

import logging

logger = logging.getLogger("crm.security")


def log_lockout(sender, request, username, ip_address, **kwargs) -> None:
    """Log a lockout; who and from where stays in axes' AccessAttempt table."""
    # No username or address in the log line: they are personal data (STYLE.md).
    logger.warning(
        "login locked out after repeated failures (see axes access attempts)"
    )


def connect_signals() -> None:
    from axes.signals import user_locked_out

    user_locked_out.connect(log_lockout, dispatch_uid="crm-log-lockout")
