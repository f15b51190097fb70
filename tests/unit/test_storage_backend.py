"""The storage backends (mvm_spec/storage_backend.py) against a stand-in IPFS node on the loopback interface.

The stand-in speaks the two endpoints of Kubo's HTTP RPC API the adapter uses — `POST /api/v0/add` (multipart
upload, JSON answer with the `Hash`) and `POST /api/v0/cat?arg=<cid>` (the bytes, or HTTP 500 with a JSON
`Message`) — and can be told to misbehave as a hostile or broken node would: answer another CID, a CIDv0, truncated
bytes, or nothing. The adapter must turn each into the spec's named error and lose nothing already stored.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
import urllib.parse
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from mvm_spec.cli import main
from mvm_spec.forks.v1 import mainnet as spec
from mvm_spec.storage_backend import (
    IpfsHttpBackend,
    MemoryBackend,
    StorageBackendUnavailable,
    get_backend,
    serve_with_backend,
)
from tests.cases.test_storage import (
    HELLO,
    HELLO_CID,
    MEMBER,
    NOW,
    OUTSIDER,
    READ,
    WRITE,
    WRITER,
    repeated,
    resolver,
    signed_request,
    storage_charter,
)


class StandInNode:
    """What the stand-in stores (by CID text) and how it misbehaves (``mode``)."""

    def __init__(self) -> None:
        self.blocks: dict[str, bytes] = {}
        self.mode = "honest"
        self.requests: list[tuple[str, dict[str, list[str]]]] = []


def multipart_file(body: bytes, content_type: str) -> bytes:
    """The one file part of a multipart/form-data body."""
    boundary = content_type.split("boundary=", 1)[1].encode()
    part = body.split(b"--" + boundary)[1]
    return part.split(b"\r\n\r\n", 1)[1].removesuffix(b"\r\n")


def make_handler(node: StandInNode) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # keep pytest's output clean
            pass

        def answer(self, status: int, body: bytes, content_type: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            url = urllib.parse.urlsplit(self.path)
            query = urllib.parse.parse_qs(url.query)
            node.requests.append((url.path, query))
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if url.path == "/api/v0/add":
                data = multipart_file(body, self.headers["Content-Type"])
                cid = spec.format_cid(spec.compute_cid(data))
                node.blocks[cid] = data
                answered = {
                    "honest": cid,
                    "other_cid": spec.format_cid(spec.compute_cid(data + b"!")),
                    "cidv0": "QmaozNR7DZHQK1ZcU9p7QdrshMvXqWK6gpu5rmrkPdT3L4",
                }.get(node.mode, cid)
                if node.mode == "garbage":
                    self.answer(200, b"<html>not an API</html>", "text/html")
                    return
                self.answer(200, json.dumps({"Name": "data", "Hash": answered, "Size": str(len(data))}).encode())
            elif url.path == "/api/v0/cat":
                cid = query["arg"][0]
                if cid not in node.blocks:
                    message = {"Message": "block was not found locally (offline)", "Code": 0, "Type": "error"}
                    self.answer(500, json.dumps(message).encode())
                    return
                data = node.blocks[cid]
                served = {"truncated": data[:-1], "padded": data + b"\x00", "other": b"x" + data[1:]}.get(
                    node.mode, data
                )
                self.answer(200, served, "text/plain")
            else:
                self.answer(404, b"404 page not found", "text/plain")

    return Handler


@pytest.fixture
def node() -> Iterator[tuple[StandInNode, str]]:
    stand_in = StandInNode()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(stand_in))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stand_in, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_add_sends_the_options_that_import_as_the_spec_does(node: tuple[StandInNode, str]) -> None:
    stand_in, url = node
    cid = IpfsHttpBackend(spec, url).add(HELLO)
    assert spec.format_cid(cid) == HELLO_CID  # IPFS's known CID of "hello world"
    path, query = stand_in.requests[0]
    assert path == "/api/v0/add"
    expected = {
        "cid-version": "1",
        "raw-leaves": "true",
        "chunker": "size-262144",
        "hash": "sha2-256",
        "trickle": "false",
    }
    assert {name: query[name][0] for name in expected} == expected


def test_add_then_cat_round_trips_multi_chunk_data(node: tuple[StandInNode, str]) -> None:
    _, url = node
    backend = IpfsHttpBackend(spec, url)
    data = repeated(262145)
    assert backend.cat(backend.add(data)) == data


@pytest.mark.parametrize("mode", ["truncated", "padded", "other"])
def test_served_bytes_that_are_not_the_content_are_refused(node: tuple[StandInNode, str], mode: str) -> None:
    stand_in, url = node
    backend = IpfsHttpBackend(spec, url)
    cid = backend.add(repeated(300000))
    stand_in.mode = mode
    with pytest.raises(spec.ContentMismatch):
        backend.cat(cid)
    stand_in.mode = "honest"  # nothing stored was lost by the refused read
    assert backend.cat(cid) == repeated(300000)


def test_a_node_that_names_other_content_is_refused(node: tuple[StandInNode, str]) -> None:
    stand_in, url = node
    stand_in.mode = "other_cid"
    with pytest.raises(spec.ContentMismatch):
        IpfsHttpBackend(spec, url).add(HELLO)


def test_a_node_that_answers_a_cidv0_is_refused(node: tuple[StandInNode, str]) -> None:
    stand_in, url = node
    stand_in.mode = "cidv0"
    with pytest.raises(spec.InvalidCid):
        IpfsHttpBackend(spec, url).add(HELLO)


def test_a_node_that_answers_no_api_response_is_unavailable(node: tuple[StandInNode, str]) -> None:
    stand_in, url = node
    stand_in.mode = "garbage"
    with pytest.raises(StorageBackendUnavailable):
        IpfsHttpBackend(spec, url).add(HELLO)


def test_content_the_node_lacks_is_not_found(node: tuple[StandInNode, str]) -> None:
    _, url = node
    with pytest.raises(spec.ContentNotFound):
        IpfsHttpBackend(spec, url).cat(spec.parse_cid(HELLO_CID))


def test_an_unreachable_node_is_unavailable() -> None:
    with pytest.raises(StorageBackendUnavailable):
        IpfsHttpBackend(spec, "http://127.0.0.1:9", timeout=2).add(HELLO)  # port 9 (discard): nothing listens


def test_the_backend_is_the_node_only_when_one_is_configured(node: tuple[StandInNode, str]) -> None:
    _, url = node
    assert isinstance(get_backend(spec, None), MemoryBackend)
    assert isinstance(get_backend(spec, url), IpfsHttpBackend)


def test_serving_over_a_node_answers_as_the_spec_does(node: tuple[StandInNode, str]) -> None:
    """The same requests through the spec's store and through the stand-in node: the same answers and errors."""
    _, url = node
    at, charter = resolver(spec, 1088), storage_charter(spec)
    now = spec.Timestamp(NOW)
    store = spec.ContentStore(objects=())
    backend = IpfsHttpBackend(spec, url)
    write = signed_request(spec, WRITER, WRITE, repeated(262145))
    store, handle = spec.serve_storage_request(at, charter, store, write, now)
    assert serve_with_backend(spec, backend, at, charter, write, now) == handle
    read = signed_request(spec, MEMBER, READ, bytes(handle))
    assert (
        serve_with_backend(spec, backend, at, charter, read, now)
        == spec.serve_storage_request(at, charter, store, read, now)[1]
    )
    for refused, error in [
        (signed_request(spec, OUTSIDER, READ, bytes(handle)), spec.StorageNotPermitted),
        (replace(read, valid_until=spec.Timestamp(NOW - 1)), spec.StorageRequestExpired),
        (signed_request(spec, MEMBER, READ, bytes(handle), chain_id=1089), spec.StorageRequestWrongChain),
    ]:
        with pytest.raises(error):
            spec.serve_storage_request(at, charter, store, refused, now)
        with pytest.raises(error):
            serve_with_backend(spec, backend, at, charter, refused, now)


def test_memory_backend_is_the_spec_store() -> None:
    backend = MemoryBackend(spec)
    cid = backend.add(HELLO)
    assert backend.cat(cid) == HELLO and backend.store.objects == (spec.StoredObject(cid=cid, data=HELLO),)
    with pytest.raises(spec.ContentNotFound):
        backend.cat(spec.compute_cid(b"never written"))


def test_cid_command_prints_ipfs_ids(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "hello.txt"
    path.write_bytes(HELLO)
    assert main(["cid", str(path), "--ipfs-api", ""]) == 0
    assert capsys.readouterr().out == f"{HELLO_CID}  {path}\n"


def test_cid_command_checks_the_node_it_is_given(
    tmp_path: Path, node: tuple[StandInNode, str], capsys: pytest.CaptureFixture[str]
) -> None:
    stand_in, url = node
    path = tmp_path / "hello.txt"
    path.write_bytes(HELLO)
    assert main(["cid", str(path), "--ipfs-api", url]) == 0 and list(stand_in.blocks) == [HELLO_CID]
    stand_in.mode = "other_cid"
    assert main(["cid", str(path), str(tmp_path / "missing"), "--ipfs-api", url]) == 1
    errors = capsys.readouterr().err
    assert "ContentMismatch" in errors and "FileNotFoundError" in errors
