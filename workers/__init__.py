"""Dramatiq plumbing only: the broker set-up, one actor per kind of job (each calls its
domain's run function), the event loops actors run on, and the scheduler loop."""
