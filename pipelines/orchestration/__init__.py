"""Dagster wiring over the stage drivers: one resource (the settings), the assets of every stage
(assets.py), the nightly job, schedule and sensor (nightly.py), the code location (definitions.py)."""
