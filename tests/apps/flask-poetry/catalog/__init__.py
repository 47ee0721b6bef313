"""catalog: products and their prices."""
