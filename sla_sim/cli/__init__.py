"""The command line (SPEC §6): one module per command; `main.entry` is `sla-sim`."""
