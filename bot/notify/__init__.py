"""E-mail to coaches about bookings, through a transactional outbox.

A message is written to the ``outbox`` table (:mod:`bot.notify.models`) in the same transaction
as the booking, so a booking never exists without its notification, and nothing else happens
inside the booking. The outbox sender (:mod:`bot.notify.sender`, ``python -m bot.notify.sender``)
sends it afterwards over SMTP with retries; without SMTP settings it stays in the outbox for
``cli outbox`` to show.
"""
