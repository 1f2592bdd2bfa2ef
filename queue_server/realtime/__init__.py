"""Event fan-out to displays, consoles and status pages."""
