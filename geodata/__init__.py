"""Boundary and demand layers: load, validate, combine, cache.

All measured geometry is in EPSG:27700 (British National Grid, metres). Nothing here imports streamlit.
"""
