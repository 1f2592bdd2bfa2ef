"""Every database query lives here, one module per aggregate."""
