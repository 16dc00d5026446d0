"""Koers in Microsoft Teams: the Rasa channel (:mod:`bot.channels.teams.channel`) and the Teams app
package (``python -m bot.channels.teams.package``). See the README section "Microsoft Teams"."""
