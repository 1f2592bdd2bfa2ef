"""Use cases, one function each. They work inside a unit of work and never commit."""
