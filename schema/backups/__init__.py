"""Backups of a whole account, their download links, and the recurring schedule."""
