#!/usr/bin/env python3
"""Where a Kazoo-style query's time goes on the wire, from a loopback capture of AMQP
(tcpdump -i lo -w FILE tcp port 5672).

A query and its reply carry the same Msg-ID, so on the wire it shows four times: the requester
publishes it to the broker, the broker delivers it to the bridge, the bridge publishes the reply, the
broker delivers the reply to the requester. The gaps between those are the broker's time with the
request, the bridge's (its whole DMQ round trip included) and the broker's time with the reply; their
sum is the round trip as the wire sees it, without the requester's own time before it publishes and
after the reply arrives. Prints one JSON object with percentiles in milliseconds per hop, and for the
slowest 1 % of round trips, which hop took the longest.

    amqp-hops.py CAPTURE.pcap [BROKER_PORT]
"""
import json
import re
import sys
from collections import Counter, defaultdict

from pcapfile import TCP, packets, percentiles

HOPS = ("broker_request", "bridge", "broker_reply")
MSG_ID = re.compile(rb'"Msg-ID"\s*:\s*"([^"\\]+)"')


def main(path, broker_port=5672):
    seen = defaultdict(list)  # Msg-ID -> [(time, toward the broker)]
    for when, source, destination, payload in packets(path, TCP):
        if broker_port not in (source, destination):
            continue
        for match in MSG_ID.finditer(payload):
            seen[match.group(1)].append((when, destination == broker_port))
    hops = {name: [] for name in HOPS}
    totals = []
    slowest_hop = {}
    for msg_id, sightings in seen.items():
        sightings.sort()
        # publish, deliver, publish, deliver; anything else (a segment split inside the Msg-ID, a
        # redelivery, a query without a reply yet) is left out, and counted.
        if [toward for _, toward in sightings] != [True, False, True, False]:
            continue
        times = [when for when, _ in sightings]
        gaps = [(times[i + 1] - times[i]) * 1000 for i in range(3)]
        for name, gap in zip(HOPS, gaps):
            hops[name].append(gap)
        totals.append((times[3] - times[0]) * 1000)
        slowest_hop[msg_id] = (totals[-1], HOPS[gaps.index(max(gaps))])
    result = {"queries": len(totals), "incomplete": len(seen) - len(totals)}
    for name in HOPS:
        result[name + "_ms"] = percentiles(hops[name])
    result["wire_round_trip_ms"] = percentiles(totals)
    if totals:
        p99 = sorted(totals)[min(len(totals) - 1, int(0.99 * len(totals)))]
        result["slowest_1pct_longest_hop"] = dict(Counter(hop for total, hop in slowest_hop.values() if total >= p99))
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 5672)
