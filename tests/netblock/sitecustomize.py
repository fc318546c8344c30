"""Loaded by every Python process the tests start (through PYTHONPATH): no outbound network.

Fondly promises that nothing leaves the machine; this makes any attempt fail loudly,
in the test process and in every `fondly` it runs.
"""

import ipaddress
import socket

_getaddrinfo = socket.getaddrinfo
_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex


def _allowed(address) -> bool:
    if isinstance(address, (str, bytes)):  # a Unix socket (PulseAudio, D-Bus)
        return True
    host = address[0]
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name would mean a DNS look-up: that leaves the machine too


class NetworkBlocked(OSError):
    pass


def _guard(self, address):
    if not _allowed(address):
        raise NetworkBlocked(f"Fondly tests block outbound network: tried to connect to {address!r}")


def connect(self, address):
    _guard(self, address)
    return _connect(self, address)


def connect_ex(self, address):
    _guard(self, address)
    return _connect_ex(self, address)


def getaddrinfo(host, *args, **kwargs):
    if host not in (None, "localhost") and not _allowed((host.decode() if isinstance(host, bytes) else host, 0)):
        raise NetworkBlocked(f"Fondly tests block outbound network: tried to look up {host!r}")
    return _getaddrinfo(host, *args, **kwargs)


socket.getaddrinfo = getaddrinfo
socket.socket.connect = connect
socket.socket.connect_ex = connect_ex
