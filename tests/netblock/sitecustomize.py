"""Loaded by every Python process the tests start (through PYTHONPATH): no outbound network,
and a record of every attempt.

Two layers. `make test` runs the whole suite in a network namespace with only loopback
(`unshare -n`), so the kernel refuses anything else — native code included (Qt,
llama.cpp, CTranslate2, child programs). This file is the second layer, and the only one
where unshare is not permitted: a Python audit hook, which sees every socket operation
made through Python, `_socket` included (connect, sendto and sendmsg for UDP, every kind of
name look-up). Anything not for this machine is refused with NetworkBlocked, and every
attempt — refused or not — is appended to $FONDLY_NET_REPORT when that is set, so a test
can show a whole session touched nothing but loopback.
"""

import ipaddress
import os
import sys


class NetworkBlocked(OSError):
    pass


_LOCAL_NAMES = {None, "", "localhost", "localhost.localdomain", b"localhost"}


def _local(host) -> bool:
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    if host in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False  # a host name means a DNS look-up: that leaves the machine too


def _address_is_local(address) -> bool:
    if isinstance(address, (str, bytes)):  # a Unix socket (PulseAudio, D-Bus)
        return True
    if isinstance(address, tuple) and address:
        return _local(address[0])
    return True  # e.g. AF_NETLINK: the kernel, not the network


def _record(event: str, target, allowed: bool) -> None:
    report = os.environ.get("FONDLY_NET_REPORT")
    if report:
        with open(report, "a", encoding="utf-8") as f:
            f.write(f"{os.getpid()}\t{event}\t{target!r}\t{'local' if allowed else 'BLOCKED'}\n")


# fmt: off
_CHECKS = {
    "socket.connect": lambda args: _address_is_local(args[1]),
    "socket.sendto": lambda args: _address_is_local(args[1]),
    "socket.sendmsg": lambda args: args[1] is None or _address_is_local(args[1]),
    "socket.getaddrinfo": lambda args: _local(args[0]),
    "socket.gethostbyname": lambda args: _local(args[0]),
    "socket.gethostbyaddr": lambda args: _local(args[0]),
    "socket.getnameinfo": lambda args: _address_is_local(args[0]),
}
# fmt: on


def _hook(event: str, args) -> None:
    check = _CHECKS.get(event)
    if check is None:
        return
    allowed = check(args)
    target = args[1] if event.startswith("socket.s") or event == "socket.connect" else args[0]
    _record(event, target, allowed)
    if not allowed:
        raise NetworkBlocked(f"Fondly tests block outbound network: {event} to {target!r}")


sys.addaudithook(_hook)
