"""The experiments layer: replications on an executor, comparisons, sweeps, optimisation, result files."""
