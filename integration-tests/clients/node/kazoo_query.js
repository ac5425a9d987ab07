#!/usr/bin/env node
// Ask the DMQ cluster through a kdmq-gateway bridge the Kazoo way (Server-ID + Msg-ID).
//
// Usage: node kazoo_query.js AMQP_URL EXCHANGE ROUTING_KEY NAME [TIMEOUT_MS]
//
// The requester owns a queue bound to exchange "targeted" with routing key = the queue's name, puts
// that name in Server-ID and a fresh Msg-ID in the request, and takes the first message on its queue
// whose Msg-ID matches. Prints the reply JSON; exits 0 on a reply, 1 on a timeout.
'use strict';
const amqp = require('amqplib');
const crypto = require('crypto');

async function main() {
  const [url, exchange, routingKey, name, timeoutArg] = process.argv.slice(2);
  const timeoutMs = Number(timeoutArg || 10000);
  const connection = await amqp.connect(url);
  const channel = await connection.createChannel();
  await channel.assertExchange('targeted', 'direct', { durable: false, autoDelete: false });
  const serverId = `node-client-${crypto.randomUUID()}`;
  await channel.assertQueue(serverId, { durable: false, exclusive: true, autoDelete: true });
  await channel.bindQueue(serverId, 'targeted', serverId);
  const msgId = crypto.randomUUID();
  const reply = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no reply within ${timeoutMs} ms`)), timeoutMs);
    channel.consume(serverId, (message) => {
      const body = JSON.parse(message.content.toString('utf8'));
      if (body['Msg-ID'] === msgId) { // anything else on our queue is not the answer to this request
        clearTimeout(timer);
        resolve(body);
      }
    }, { noAck: true });
  });
  const request = {
    'Event-Category': 'directory', 'Event-Name': 'lookup', 'Name': name,
    'Server-ID': serverId, 'Msg-ID': msgId, 'App-Name': 'node-client', 'App-Version': '1.0',
  };
  channel.publish(exchange, routingKey, Buffer.from(JSON.stringify(request)), { contentType: 'application/json' });
  try {
    console.log(JSON.stringify(await reply));
    return 0;
  } catch (e) {
    console.error(e.message);
    return 1;
  } finally {
    await connection.close();
  }
}

main().then((code) => process.exit(code), (e) => { console.error(e.message); process.exit(1); });
