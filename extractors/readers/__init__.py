"""Readers shared by the document kinds: numbered sections, target tables, grade scales."""
