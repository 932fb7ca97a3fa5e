"""The domain, free of GraphQL, HTTP and Dramatiq: one package per domain, each package's
`__init__` its public face."""
