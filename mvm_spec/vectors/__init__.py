"""Conformance vectors: the case decorator, the JSON encoding, the schemas and the writer."""

from .case import REGISTRY, VectorCase, expect_spec_error, vector_case

__all__ = ["REGISTRY", "VectorCase", "expect_spec_error", "vector_case"]
