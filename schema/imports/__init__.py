"""Imports (uploaded files and finished restores) and the rows they refused."""
