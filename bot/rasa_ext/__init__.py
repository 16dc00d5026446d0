"""Rasa, extended behind one door.

* :mod:`bot.rasa_ext.server`: the one way Koers starts Rasa (``python -m bot.rasa_ext.server
  run …``): it installs the patches, then runs Rasa's own command line;
* :mod:`bot.rasa_ext.patches`: every patch of Rasa internals, installed by ``install_all``
  (refused on another Rasa version; the patched functions are fingerprinted by the tests);
* :mod:`bot.rasa_ext.nlu`: the InputGuard NLU component (named in ``config.yml``);
* :mod:`bot.rasa_ext.policy`: a typed pick from the workshop sessions just shown (``config.yml``);
* :mod:`bot.rasa_ext.stores`: the tracker store and the lock store (named in the endpoints file);
* :mod:`bot.rasa_ext.off_loop`: the tracker store's database work, off the event loop;
* :mod:`bot.rasa_ext.texts`: the Dutch answers when a part of Koers is down.
"""
