"""Preparing "het goede gesprek": questions, answer parsing, practice, the preparation sheet."""
