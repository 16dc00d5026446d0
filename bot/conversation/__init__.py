"""Conversation helpers shared by the NLU pipeline and the action server (no Rasa imports)."""
