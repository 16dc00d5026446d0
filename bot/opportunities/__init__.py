"""Opportunities in the region (issue 17): vacancies, meeloopstages, exchanges, shared trainings
and regional events, who may see them (:mod:`.visibility`), which fit an employee after the scan
(:mod:`.matching`), the EVC check (:mod:`.evc`) and how coordinators fill the catalogue
(:mod:`.importer`, :mod:`.feed`, ``python -m bot.opportunities.cli``).
"""
