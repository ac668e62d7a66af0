"""Mes documents (R40–R42): what the generated documents say (content), their PDF (pdf), and the
pages that list and serve them (views)."""
