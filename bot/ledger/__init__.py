"""The Koers ledger: coaches, slots, bookings, workshops, providers, vouchers and audit log.

Shared by the action server, the web app and the CLI. Logic that needs no database lives in
pure modules (``codes``, ``catalog``, ``booking`` parsing, ``texts``); the rest takes a session.
"""
