"""The display_board pages."""
