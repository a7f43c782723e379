"""The analysis layer: a replication's event log turned into metrics, chart series and intervals."""
