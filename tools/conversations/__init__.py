"""Scripted multi-turn conversations: the file format, the checks, and a transcript printer."""
