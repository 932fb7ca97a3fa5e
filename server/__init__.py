"""Settings, the Starlette app factory and the `crm-backup` command."""
