"""Thin callback wrappers: each module's ``register(app, data)`` wires plain
functions (tested directly) to the app's components."""
