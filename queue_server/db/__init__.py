"""Persistence: models, engine and unit of work, repositories."""
