"""REST API views, one module per resource: thin wrappers over the services and selectors, scoped by
apps.api.permissions.OrgMember (another organisation's slug or object is a 404, a write by an auditor a 403).
Domain errors are answered by apps.api.errors.exception_handler; the schema's examples are in apps.api.examples."""
