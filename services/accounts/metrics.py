"""Refused sign-ins and two-factor codes, as Prometheus counters (never labelled by who)."""

from prometheus_client import Counter

login_failures = Counter(
    "crm_backup_login_failures",
    "Refused sign-ins: wrong_password (or unknown email), locked (over the limits, not checked), "
    "sso_refused (an ID token refused).",
    ["reason"],
)
totp_failures = Counter(
    "crm_backup_totp_failures",
    "Refused two-factor codes: wrong (or expired), reused (its time step was used already), "
    "locked (too many wrong ones, not checked).",
    ["reason"],
)
