"""One module per domain: authorise, validate, call the domain's public face, return what it
returns (models, pages, streams). `schema` maps those to GraphQL types; nothing here knows them."""
