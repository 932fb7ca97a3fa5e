"""The domain, free of GraphQL."""
