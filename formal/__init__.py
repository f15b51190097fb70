"""The formal stage of `make test`: Z3 proofs of the tax arithmetic and CrossHair contracts on the rendered spec.

Run ``python -m formal`` from the repository root; it exits 0 only if every claim is proven. See
formal/z3_tax.py (Z3 models and claims) and formal/crosshair_targets.py (CrossHair contracts).
"""
