"""The stacks: one folder each, with its row (STACK, in __init__.py), its macros
(macros.jinja), its detection (detect.py), its sample app (sample/) and its test rows
(TEST_ROWS). catalog.py finds them."""
