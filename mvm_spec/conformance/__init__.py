"""The conformance runner and the reference client."""
