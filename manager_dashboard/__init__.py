"""The manager_dashboard pages."""
