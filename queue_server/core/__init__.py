"""The pure domain: no web framework, no database, time passed in."""
