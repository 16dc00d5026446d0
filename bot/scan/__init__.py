"""The talent self-scan: questions, free-text answer parsing and scoring (no Rasa imports)."""
