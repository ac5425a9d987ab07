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
import sys

from pcapfile import UDP, packets, percentiles


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
    for when, _, _, payload in packets(path, UDP):
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

    # Requests sent in the capture's last second may still be waiting for their answer: not counted.
    unanswered = sum(1 for key, when in sent.items() if key not in answered and when < last - 1.0)
    print(json.dumps({"count": len(latencies), "unanswered": unanswered, "latency_ms": percentiles(latencies)}))


if __name__ == "__main__":
    main(sys.argv[1])
