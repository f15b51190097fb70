"""Content ids against the hashing they cannot avoid (spec/v1/storage.md, compute_cid).

Every byte of the data is hashed once with SHA2-256 (the leaves), and the inner nodes add a few small blocks. The
baseline is one SHA2-256 of the same bytes; the ratio is what the chunking, the tree and the encodings cost on top.
Goal (issue 12): <= 1.3 at 64 MiB, and linear in size (the spec's microseconds per MiB stay flat).
"""

from __future__ import annotations

import hashlib

from mvm_spec.forks.v1 import mainnet as spec

from .common import median_seconds

MIB = 1 << 20


def run() -> list[str]:
    lines = ["storage: compute_cid vs one sha2-256 of the same bytes (median of 5)"]
    lines.append(f"  {'size':>8}  {'spec ms':>9}  {'sha2 ms':>9}  {'ratio':>6}  {'spec ms/MiB':>11}")
    for mebibytes in (1, 4, 16, 64):
        data = bytes(range(256)) * (mebibytes * MIB // 256)
        spec_time = median_seconds(lambda: spec.compute_cid(data))
        raw_time = median_seconds(lambda: hashlib.sha256(data).digest())
        lines.append(
            f"  {mebibytes:>5} MiB  {spec_time * 1e3:>9.2f}  {raw_time * 1e3:>9.2f}  {spec_time / raw_time:>6.2f}"
            f"  {spec_time * 1e3 / mebibytes:>11.3f}"
        )
    return lines
