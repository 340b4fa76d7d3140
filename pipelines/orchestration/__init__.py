"""Dagster wiring (assets, job, schedule, sensor, resources) over the plain modules of pipelines/."""
