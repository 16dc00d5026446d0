"""Koers in Microsoft Teams: the Rasa channel (:mod:`bot.teams.channel`) and the Teams app
package (``python -m bot.teams.package``). See the README section "Microsoft Teams"."""
