"""Comparisons of backups: what changed between two backups, or a backup and today."""
