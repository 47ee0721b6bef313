"""shortener: short links for long URLs."""
