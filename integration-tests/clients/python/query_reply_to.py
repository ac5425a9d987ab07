#!/usr/bin/env python3
"""Ask the DMQ cluster through a kdmq-gateway bridge with plain AMQP RPC (reply_to + correlation_id).

Usage: query_reply_to.py AMQP_URL EXCHANGE ROUTING_KEY COUNT [TIMEOUT_S]

Publishes COUNT requests {"Event-Category":"directory","Event-Name":"lookup","Name":"user-<i>"} with
reply_to = amq.rabbitmq.reply-to (RabbitMQ's direct reply-to: no reply queue to declare) and a
correlation_id per request, then prints one JSON line per reply: {"correlation_id", "reply"}.
Exits 0 when every request got exactly one reply, 1 otherwise.
"""
import json
import sys
import time
import uuid

import pika


def main():
    url, exchange, routing_key, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    timeout = float(sys.argv[5]) if len(sys.argv) > 5 else 20.0
    connection = pika.BlockingConnection(pika.URLParameters(url))
    channel = connection.channel()
    replies = {}

    def on_reply(ch, method, props, body):
        replies.setdefault(props.correlation_id, []).append(json.loads(body))

    # Consume from the pseudo-queue before publishing: RabbitMQ requires it for direct reply-to.
    channel.basic_consume("amq.rabbitmq.reply-to", on_reply, auto_ack=True)
    asked = {}
    for i in range(count):
        correlation_id = str(uuid.uuid4())
        asked[correlation_id] = "user-%d" % i
        request = {"Event-Category": "directory", "Event-Name": "lookup", "Name": asked[correlation_id]}
        channel.basic_publish(exchange, routing_key, json.dumps(request),
                              pika.BasicProperties(content_type="application/json",
                                                   reply_to="amq.rabbitmq.reply-to",
                                                   correlation_id=correlation_id))
    deadline = time.monotonic() + timeout
    while len(replies) < count and time.monotonic() < deadline:
        connection.process_data_events(time_limit=0.2)
    ok = True
    for correlation_id, name in asked.items():
        got = replies.get(correlation_id, [])
        print(json.dumps({"correlation_id": correlation_id, "asked": name, "reply": got[0] if got else None}))
        ok = ok and len(got) == 1
    connection.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
