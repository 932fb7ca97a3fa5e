"""Restores and reverts: their plans, what applying them changed."""
