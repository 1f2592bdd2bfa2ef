"""Ticket slips: rendering (pure) and printers (python-escpos backends)."""
