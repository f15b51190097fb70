"""Rendered MVM specification, fork v1."""
