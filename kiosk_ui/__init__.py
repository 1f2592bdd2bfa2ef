"""The kiosk_ui pages."""
