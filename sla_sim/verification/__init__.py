"""Verification: queueing theory and the SPEC §5 set-ups the model is checked against."""
