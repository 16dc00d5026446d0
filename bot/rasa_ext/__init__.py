"""Rasa, extended behind one door: patches of Rasa internals, the InputGuard, the stores,
and the one entry point that starts the Rasa server."""
