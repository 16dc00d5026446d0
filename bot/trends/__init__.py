"""Anonymous trend figures for coordinators: recording, retention, k-anonymity, dashboard.

Coordinators see trends, never people: events hold only an ISO week, a municipality, an event
type and a category, and every figure on the dashboard is built from groups of at least k
events (see ``suppression`` and docs/dashboard.md).
"""
