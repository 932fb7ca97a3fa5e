"""Processes and HTTP: settings, the Starlette app, the `crm-backup` command, embedded mode, the
worker entry point, downloads, uploads and the admin page."""
