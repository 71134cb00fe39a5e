"""Outputs of a plan: the printable report (HTML/PDF, server-side map) and spreadsheets (XLSX/CSV)."""
