"""The presentation layer: numbers and terms in words, headlines, tables, charts, the meeting pack."""
