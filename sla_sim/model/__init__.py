"""The model layer: one replication of a scenario, its leads drawn in bulk and the SimPy desk."""
