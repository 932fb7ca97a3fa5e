"""The progress of background jobs of any kind."""
