"""The administration pages, /admin: offices, topics, windows, users, kiosks, calendar, audit."""
