"""Background jobs: queueing a job row, claiming it with a lease, its progress, and the sweeps
that send lost jobs again."""
