"""Accounts and their users; signing in with a password, an invitation or SSO; two-factor."""
