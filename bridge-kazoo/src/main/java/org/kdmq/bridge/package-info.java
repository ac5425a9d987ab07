/**
 * The kazoo-style RabbitMQ bridge. It depends on the gateway's public API only (never the reverse).
 */
package org.kdmq.bridge;
