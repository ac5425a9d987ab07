#!/usr/bin/env python3
"""KDMQ request -> final response times from a loopback capture (tcpdump -i lo -w FILE udp).

Measures Kamailio's DMQ latency the way our bench measures ours: from a KDMQ request leaving its
sender to the final response leaving the receiver, matched by Call-ID, CSeq and top Via branch.
Retransmitted requests keep the time of the first copy. Prints one JSON object with the count, the
percentiles in milliseconds and how many requests got no final response (those sent in the last
second of the capture aside).

    kdmq-latency.py CAPTURE.pcap
"""
import json
import struct
import sys


def packets(path):
    """(timestamp in seconds, UDP payload) of each IPv4/UDP packet of a pcap file (Ethernet or Linux SLL)."""
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
            if len(ip) < 20 or ip[0] >> 4 != 4 or ip[9] != 17:
                continue
            udp = ip[(ip[0] & 0x0F) * 4:]
            yield seconds + fraction / (1e9 if nanos else 1e6), udp[8:]


def header(lines, *names):
    for line in lines:
        name, _, value = line.partition(":")
        if name.strip().lower() in names:
            return value.strip()
    return ""


def key_of(lines):
    via = header(lines, "via", "v")
    branch = ""
    for param in via.split(",")[0].split(";")[1:]:
        if param.strip().lower().startswith("branch="):
            branch = param.strip()[7:]
    return header(lines, "call-id", "i"), header(lines, "cseq"), branch


def main(path):
    sent = {}
    latencies = []
    answered = set()
    last = 0.0
    for when, payload in packets(path):
        last = max(last, when)
        head = payload.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace").split("\r\n")
        if not head or not head[0]:
            continue
        key = key_of(head[1:])
        if head[0].startswith("KDMQ "):
            sent.setdefault(key, when)
        elif head[0].startswith("SIP/2.0 ") and "KDMQ" in key[1]:
            code = int(head[0].split()[1])
            if code >= 200 and key in sent and key not in answered:
                answered.add(key)
                latencies.append((when - sent[key]) * 1000)
    latencies.sort()

    def pct(p):
        return round(latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))], 3) if latencies else None

    # Requests sent in the capture's last second may still be waiting for their answer: not counted.
    unanswered = sum(1 for key, when in sent.items() if key not in answered and when < last - 1.0)
    print(json.dumps({"count": len(latencies), "unanswered": unanswered,
                      "latency_ms": {"p50": pct(50), "p90": pct(90), "p99": pct(99), "p99.9": pct(99.9),
                                     "max": round(latencies[-1], 3) if latencies else None}}))


if __name__ == "__main__":
    main(sys.argv[1])
