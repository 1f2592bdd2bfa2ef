"""The operator_console pages."""
