"""The HTTP/1.1 pool over TLS: certificates are checked, and a TLS connection is kept alive."""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import ssl
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from binance_async.h1 import H1Error, Pool

ANSWER = (
    b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"ok":true}'
)


def _certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made for this test run."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "binance-async test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class TlsServer:
    """Answers every request with ANSWER over TLS; counts connections and requests."""

    def __init__(self) -> None:
        self.connections = 0
        self.requests: list[bytes] = []
        self.port = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                self.requests.append(head)
                writer.write(ANSWER)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError):
            pass
        finally:
            writer.close()


@pytest.fixture
async def tls_server(tmp_path: Path) -> AsyncIterator[tuple[TlsServer, Path]]:
    cert_path, key_path = _certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    server = TlsServer()
    listener = await asyncio.start_server(server.handle, "127.0.0.1", 0, ssl=context)
    server.port = listener.sockets[0].getsockname()[1]
    try:
        yield server, cert_path
    finally:
        listener.close()
        await listener.wait_closed()


async def test_tls_answers_on_one_kept_alive_connection(
    tls_server: tuple[TlsServer, Path],
) -> None:
    """With the server's certificate trusted, two requests go over one TLS connection, and
    the Host header names the non-default port."""
    server, cert_path = tls_server
    trusted = ssl.create_default_context(cafile=str(cert_path))
    pool = Pool(f"https://127.0.0.1:{server.port}", ssl_context=trusted)
    try:
        async with asyncio.timeout(10):
            first = await pool.request(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n", 5.0)
            second = await pool.request(b"GET /b HTTP/1.1\r\nHost: x\r\n\r\n", 5.0)
    finally:
        await pool.close()
    assert (first.status, first.body, second.body) == (200, b'{"ok":true}', b'{"ok":true}')
    assert server.connections == 1
    assert [r.split(b" ")[1] for r in server.requests] == [b"/a", b"/b"]
    assert pool.common.startswith(f"Host: 127.0.0.1:{server.port}\r\n")


async def test_an_untrusted_certificate_is_refused_before_anything_is_sent(
    tls_server: tuple[TlsServer, Path],
) -> None:
    """The default context checks the certificate: a self-signed one fails the connect, with
    sent=False, and the server never reads a request."""
    server, _ = tls_server
    pool = Pool(f"https://127.0.0.1:{server.port}")
    try:
        async with asyncio.timeout(10):
            with pytest.raises(H1Error) as caught:
                await pool.request(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n", 5.0)
    finally:
        await pool.close()
    assert caught.value.sent is False and caught.value.connecting is True
    assert "SSL" in str(caught.value) or "certificate" in str(caught.value)
    assert server.requests == [] and pool.open_connections == 0
