"""Packets of a pcap file (Ethernet, Linux SLL or loopback), for the bench's capture readers."""
import struct

UDP = 17
TCP = 6


def packets(path, protocol):
    """(timestamp in seconds, source port, destination port, payload) of each IPv4 packet of `protocol`."""
    with open(path, "rb") as f:
        header = f.read(24)
        magic = header[:4]
        if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
            endian = "<"
        elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
            endian = ">"
        else:
            raise SystemExit("not a pcap file: " + path)
        nanos = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
        linktype = struct.unpack(endian + "I", header[20:24])[0]
        link_length = {1: 14, 113: 16, 0: 4}.get(linktype)
        if link_length is None:
            raise SystemExit("unsupported link type %d" % linktype)
        while True:
            record = f.read(16)
            if len(record) < 16:
                return
            seconds, fraction, captured, _ = struct.unpack(endian + "IIII", record)
            data = f.read(captured)
            ip = data[link_length:]
            if len(ip) < 20 or ip[0] >> 4 != 4 or ip[9] != protocol:
                continue
            segment = ip[(ip[0] & 0x0F) * 4:]
            if len(segment) < (8 if protocol == UDP else 20):  # cut short by the capture's snap length
                continue
            source, destination = struct.unpack(">HH", segment[:4])
            start = 8 if protocol == UDP else (segment[12] >> 4) * 4
            yield seconds + fraction / (1e9 if nanos else 1e6), source, destination, segment[start:]


def percentiles(values, digits=3):
    """p50/p90/p99/p99.9/max of a list of numbers (sorted here), None each when it is empty."""
    values = sorted(values)

    def pct(p):
        return round(values[min(len(values) - 1, int(p / 100 * len(values)))], digits) if values else None

    return {"p50": pct(50), "p90": pct(90), "p99": pct(99), "p99.9": pct(99.9),
            "max": round(values[-1], digits) if values else None}
