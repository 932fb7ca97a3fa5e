"""The Dramatiq broker set-up, the job actors (thin: load the job row, call services, record the
outcome) and the scheduler loop."""
