"""The distro families: one folder each, with its row (FAMILY, in __init__.py) and its
macros (macros.jinja). catalog.py finds them."""
