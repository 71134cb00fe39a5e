"""The shared scenario service around the domain: the store (SQLite / PostGIS), users and roles,
import/export of scenario files, and the workspace that loads a council for the app and the CLI.
The domain (zones.classify, rates, plan, moves, impact) imports nothing from here."""
