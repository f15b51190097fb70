"""Ratio benchmarks: each compares a spec operation with a baseline measured in the same process run.

Every keccak256 in a benchmark's process goes through one library, safe-pysha3 (a C Keccak): the spec's runtime
calls it directly, and py-evm, on the spec's side and in every baseline, hashes through eth-hash, which is told here
to use its "pysha3" backend (the same library) instead of its default, pycryptodome, whose Python layers cost five
times the hash. So no ratio measures one side's hashing binding against the other's. Set before anything hashes:
eth-hash picks its backend at its first hash.
"""

import os

os.environ.setdefault("ETH_HASH_BACKEND", "pysha3")
