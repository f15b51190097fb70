"""Backends behind the storage chapter's resolver: the spec's own store, or a real IPFS node (tooling, not spec).

The spec models the IPFS cluster as a value (``ContentStore``, spec/v1/storage.md). A deployment stores data in a
real node instead; this module gives both one interface, ``ContentBackend``, and a resolver that runs the spec's
rules over either (``serve_with_backend``). Nothing a node says is trusted: every CID it returns must be the one
the spec computes for the data, and every byte it serves must be the content of the CID asked for, or the call
fails with the spec's own error (``ContentMismatch``, ``InvalidCid``, ``ContentNotFound``). A node that cannot be
reached fails with ``StorageBackendUnavailable``. No call changes or removes what is stored.

``IpfsHttpBackend`` speaks the HTTP RPC API of Kubo (the reference IPFS node): ``POST /api/v0/add`` with the
options that make a node import exactly as the spec does, and ``POST /api/v0/cat``.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from types import ModuleType
from typing import Any, Optional, Protocol

# The options under which `ipfs add` imports exactly as `compute_cid` does (some are Kubo's defaults today; they are
# sent anyway, so that a node configured otherwise still agrees).
ADD_OPTIONS = {
    "cid-version": "1",
    "raw-leaves": "true",
    "chunker": "size-262144",
    "hash": "sha2-256",
    "trickle": "false",
    "pin": "true",
}


class StorageBackendUnavailable(Exception):
    """The IPFS node could not be reached or answered with something other than the API's responses."""


class ContentBackend(Protocol):
    def add(self, data: bytes) -> Any:
        """Store ``data``; return its CID (the spec's ``Cid``)."""

    def cat(self, cid: Any) -> bytes:
        """The data stored under ``cid``, checked against it."""


class MemoryBackend:
    """The spec's store as a backend: a ``ContentStore`` value, replaced by each write."""

    def __init__(self, spec: ModuleType) -> None:
        self.spec = spec
        self.store: Any = spec.ContentStore(objects=())

    def add(self, data: bytes) -> Any:
        cid = self.spec.compute_cid(data)
        self.store = self.spec.put_object(self.store, cid, data)
        return cid

    def cat(self, cid: Any) -> bytes:
        return bytes(self.spec.get_object(self.store, cid))


class IpfsHttpBackend:
    """A Kubo node's HTTP RPC API at ``api_url`` (e.g. ``http://127.0.0.1:5001``), checked against the spec."""

    def __init__(self, spec: ModuleType, api_url: str, timeout: float = 60.0) -> None:
        self.spec = spec
        self.api_url = api_url.rstrip("/")
        self.timeout = timeout

    def _post(
        self, command: str, query: dict[str, str], body: bytes = b"", content_type: Optional[str] = None
    ) -> bytes:
        url = f"{self.api_url}/api/v0/{command}?{urllib.parse.urlencode(query)}"
        request = urllib.request.Request(url, data=body, method="POST")
        if content_type is not None:
            request.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return bytes(response.read())
        except urllib.error.HTTPError as error:
            message = _error_message(error.read())
            if command == "cat" and "not found" in message.lower():
                raise self.spec.ContentNotFound(f"the IPFS node has no {query.get('arg')}: {message}") from None
            raise StorageBackendUnavailable(f"{command}: HTTP {error.code}: {message}") from None
        except (urllib.error.URLError, OSError) as error:
            raise StorageBackendUnavailable(f"{command}: {error}") from None

    def add(self, data: bytes) -> Any:
        boundary = uuid.uuid4().hex
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="data"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n"
            ).encode()
            + bytes(data)
            + f"\r\n--{boundary}--\r\n".encode()
        )
        answer = self._post("add", ADD_OPTIONS, body, f"multipart/form-data; boundary={boundary}")
        try:
            added = json.loads(answer.decode().strip().splitlines()[-1])["Hash"]
        except (ValueError, IndexError, KeyError, TypeError, UnicodeDecodeError):
            raise StorageBackendUnavailable(f"add: not an add response: {answer[:200]!r}") from None
        cid = self.spec.parse_cid(added)  # InvalidCid: a CIDv0, another base, or no CID at all
        expected = self.spec.compute_cid(data)
        if cid != expected:
            raise self.spec.ContentMismatch(
                f"the node stored the data as {added}, the spec's id is {self.spec.format_cid(expected)}"
            )
        return cid

    def cat(self, cid: Any) -> bytes:
        data = self._post("cat", {"arg": self.spec.format_cid(cid)})
        self.spec.verify_content(cid, data)  # ContentMismatch: truncated, padded or other bytes
        return data


def _error_message(body: bytes) -> str:
    try:
        return str(json.loads(body.decode())["Message"])
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return body[:200].decode(errors="replace")


def get_backend(spec: ModuleType, api_url: Optional[str]) -> ContentBackend:
    """A real node's backend when one is configured, the spec's in-memory store otherwise."""
    return IpfsHttpBackend(spec, api_url) if api_url else MemoryBackend(spec)


def serve_with_backend(
    spec: ModuleType, backend: ContentBackend, resolver: Any, charter: Any, request: Any, now: Any
) -> bytes:
    """``serve_storage_request`` over ``backend``: the same checks in the same order, the same answers."""
    spec.authorize_storage_request(resolver, charter, request, now)
    if request.operation == spec.STORAGE_WRITE:
        return bytes(spec.seal_cid(resolver, backend.add(request.payload)))
    return backend.cat(spec.open_handle(resolver, spec.Handle(request.payload)))
