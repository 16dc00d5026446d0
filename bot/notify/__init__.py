"""E-mail to coaches about bookings, through a transactional outbox.

A message is written to the ``outbox`` table in the same transaction as the booking, so a
booking never exists without its notification. Afterwards it is sent over SMTP with an
asyncio client; without SMTP settings it stays in the outbox for ``cli outbox`` to show.
"""
