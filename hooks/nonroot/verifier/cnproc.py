"""The kernel's process events connector (netlink NETLINK_CONNECTOR, CN_IDX_PROC): subscribe,
and parse its messages into ProcEvents (fork, exec, uid/gid change, exit, ...).

Every process on the machine is reported, however short-lived, so a watcher sees what
sampling misses. Subscribing needs CAP_NET_ADMIN (root); `open_listener` raises
ConnectorUnavailable otherwise. Layouts are those of <linux/connector.h> and
<linux/cn_proc.h> in the machine's native byte order.
"""
from __future__ import annotations

import errno
import os
import socket
import struct
from dataclasses import dataclass

NETLINK_CONNECTOR = 11
CN_IDX_PROC = 1
CN_VAL_PROC = 1
PROC_CN_MCAST_LISTEN = 1
NLMSG_DONE = 3
NLMSG_ERROR = 2
SO_RCVBUFFORCE = 33

NLMSGHDR = struct.Struct("=IHHII")           # len, type, flags, seq, pid
CN_MSG = struct.Struct("=IIIIHH")            # id.idx, id.val, seq, ack, len, flags
EVENT_HEADER = struct.Struct("=IIQ")         # what, cpu, timestamp_ns (event_data follows at 16)

KINDS = {
    0x0: "none", 0x1: "fork", 0x2: "exec", 0x4: "uid", 0x40: "gid", 0x80: "sid",
    0x100: "ptrace", 0x200: "comm", 0x40000000: "coredump", 0x80000000: "exit",
}


class ConnectorUnavailable(OSError):
    """The process events connector cannot be used here (not root, no such kernel support)."""


@dataclass(frozen=True)
class ProcEvent:
    """One process event. pid/tgid: the thread and the process it belongs to (for fork: the
    child). real/effective: the new UIDs (uid) or GIDs (gid)."""

    kind: str
    timestamp_ns: int
    pid: int = 0
    tgid: int = 0
    parent_pid: int = 0
    parent_tgid: int = 0
    real: int = -1
    effective: int = -1
    exit_code: int = 0
    comm: str = ""
    error: int = 0          # the subscription's answer (kind "none")

    @property
    def is_thread(self) -> bool:
        """A thread, not a process (threads share their process's credentials and /proc entry)."""
        return self.pid != self.tgid


def parse_event(data: bytes) -> ProcEvent:
    """A proc_event (the cn_msg payload) into a ProcEvent."""
    what, _cpu, stamp = EVENT_HEADER.unpack_from(data, 0)
    kind = KINDS.get(what, f"0x{what:x}")
    body = data[EVENT_HEADER.size:]

    def u32s(count: int) -> tuple[int, ...]:
        return struct.unpack_from(f"={count}I", body, 0)

    if kind == "none":
        return ProcEvent(kind, stamp, error=u32s(1)[0])
    if kind == "fork":
        parent_pid, parent_tgid, pid, tgid = u32s(4)
        return ProcEvent(kind, stamp, pid, tgid, parent_pid, parent_tgid)
    if kind in ("uid", "gid"):
        pid, tgid, real, effective = u32s(4)
        return ProcEvent(kind, stamp, pid, tgid, real=real, effective=effective)
    if kind == "exit":
        pid, tgid, code, _signal = u32s(4)
        parent = u32s(6)[4:] if len(body) >= 24 else (0, 0)
        return ProcEvent(kind, stamp, pid, tgid, parent[0], parent[1], exit_code=code)
    if kind == "comm":
        pid, tgid = u32s(2)
        return ProcEvent(kind, stamp, pid, tgid, comm=body[8:24].split(b"\0", 1)[0].decode("utf-8", "replace"))
    pid, tgid = u32s(2)  # exec, sid, ptrace, coredump: the process comes first
    return ProcEvent(kind, stamp, pid, tgid)


def parse_datagram(data: bytes) -> list[ProcEvent]:
    """Every process event in one netlink datagram (connector messages of other groups are skipped)."""
    events: list[ProcEvent] = []
    offset = 0
    while offset + NLMSGHDR.size <= len(data):
        length, msg_type, _flags, _seq, _pid = NLMSGHDR.unpack_from(data, offset)
        if length < NLMSGHDR.size or offset + length > len(data):
            raise ValueError(f"truncated netlink message: length {length} at offset {offset} of {len(data)}")
        if msg_type == NLMSG_ERROR:
            code = struct.unpack_from("=i", data, offset + NLMSGHDR.size)[0]
            events.append(ProcEvent("none", 0, error=-code))
        elif length >= NLMSGHDR.size + CN_MSG.size:
            idx, val, _s, _a, payload, _f = CN_MSG.unpack_from(data, offset + NLMSGHDR.size)
            start = offset + NLMSGHDR.size + CN_MSG.size
            if (idx, val) == (CN_IDX_PROC, CN_VAL_PROC) and payload >= EVENT_HEADER.size:
                events.append(parse_event(data[start:start + payload]))
        offset += (length + 3) & ~3  # NLMSG_ALIGN
    return events


def subscribe_message(op: int = PROC_CN_MCAST_LISTEN) -> bytes:
    """The netlink message that turns the event stream on (or off)."""
    body = struct.pack("=I", op)
    cn = CN_MSG.pack(CN_IDX_PROC, CN_VAL_PROC, 0, 0, len(body), 0) + body
    return NLMSGHDR.pack(NLMSGHDR.size + len(cn), NLMSG_DONE, 0, 0, os.getpid()) + cn


def open_listener(buffer_bytes: int = 16 << 20, timeout: float = 2.0) -> socket.socket:
    """A socket subscribed to every process event on the machine; raises ConnectorUnavailable.

    The kernel answers the subscription with an event of kind "none" carrying its error
    (EPERM without CAP_NET_ADMIN on recent kernels); events that arrive before it are
    dropped, which is harmless: the subscription is made before the watched container starts."""
    try:
        sock = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, NETLINK_CONNECTOR)
    except OSError as error:
        raise ConnectorUnavailable(f"no netlink connector socket: {error}") from error
    try:
        try:
            sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, buffer_bytes)
        except OSError:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, buffer_bytes)
        sock.bind((0, CN_IDX_PROC))
        sock.send(subscribe_message())
        sock.settimeout(timeout)
        while True:
            for event in parse_datagram(sock.recv(65536)):
                if event.kind == "none":
                    if event.error:
                        raise ConnectorUnavailable(f"the kernel refused the subscription: "
                                                   f"{errno.errorcode.get(event.error, event.error)}")
                    sock.settimeout(None)
                    return sock
    except ConnectorUnavailable:
        sock.close()
        raise
    except OSError as error:
        sock.close()
        raise ConnectorUnavailable(f"cannot subscribe to process events: {error}") from error
