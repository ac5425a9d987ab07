#!/usr/bin/env python3
"""Consume events a kdmq-gateway bridge mirrors from a DMQ channel to an exchange.

Usage: consume_events.py AMQP_URL EXCHANGE BINDING_KEY COUNT [TIMEOUT_S]

Binds a private queue to EXCHANGE (a topic exchange, routing key "{Event-Category}.{Event-Name}" by
default), prints READY once bound, then one JSON line per message: the body (a JSON object with the
Kazoo envelope: Msg-ID, Node, Server-ID, App-Name...) and the kdmq-channel / kdmq-sender headers.
Exits 0 after COUNT messages, 1 on timeout.
"""
import json
import sys
import time

import pika


def main():
    url, exchange, binding, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    timeout = float(sys.argv[5]) if len(sys.argv) > 5 else 20.0
    connection = pika.BlockingConnection(pika.URLParameters(url))
    channel = connection.channel()
    # Declared as Kazoo declares exchanges (non-durable, non-auto-delete) so it matches the bridge's.
    channel.exchange_declare(exchange, exchange_type="topic", durable=False, auto_delete=False)
    queue = channel.queue_declare("", exclusive=True, auto_delete=True).method.queue
    channel.queue_bind(queue, exchange, routing_key=binding)
    print("READY", flush=True)
    seen = 0
    deadline = time.monotonic() + timeout
    while seen < count and time.monotonic() < deadline:
        method, props, body = channel.basic_get(queue, auto_ack=True)
        if method is None:
            connection.process_data_events(time_limit=0.1)
            continue
        headers = props.headers or {}
        print(json.dumps({"routing_key": method.routing_key, "content_type": props.content_type,
                          "message_id": props.message_id, "channel": headers.get("kdmq-channel"),
                          "sender": headers.get("kdmq-sender"), "body": json.loads(body)}), flush=True)
        seen += 1
    connection.close()
    return 0 if seen == count else 1


if __name__ == "__main__":
    sys.exit(main())
