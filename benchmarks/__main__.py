"""``make bench``: run every ratio benchmark and print its table (never part of ``make test``)."""

from __future__ import annotations

import platform

from . import bridge, challenge, fuzz, merkle, permissions, selection, storage, t8n, transfers, vectors


def main() -> None:
    print(f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}")
    for benchmark in (merkle, selection, permissions, transfers, bridge, challenge, storage, fuzz, vectors, t8n):
        print("\n".join(benchmark.run()))


if __name__ == "__main__":
    main()
