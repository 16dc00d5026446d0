"""How messages reach Koers, and who sent them.

* :mod:`bot.channels.identity`: the one identity model for every channel (conversation keys,
  employee keys, the signed identity claim the actions verify). Pure: no Rasa imports, so the
  action server and the web app can use it without loading Rasa.
* :mod:`bot.channels.rest`: the Rasa input channels (REST, socket.io), named in
  ``credentials.yml``. Importing it loads Rasa.
"""
