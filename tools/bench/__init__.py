"""``make bench``: how fast Koers is on this machine, against a bare Rasa bot (see run.py)."""
