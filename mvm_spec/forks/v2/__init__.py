"""Rendered MVM specification, fork v2."""
