"""The CRM: object types and their properties, records, the recycle bin, associations and the
live changes of records."""
