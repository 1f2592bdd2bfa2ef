"""The /api/v1 routers: parse, call a service, serialise."""
