"""One module per area. Thin: authorise, validate, call services, map to schema types."""
