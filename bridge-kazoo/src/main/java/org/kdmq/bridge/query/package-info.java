/**
 * Correlated query-with-reply between AMQP and DMQ. {@link org.kdmq.bridge.query.QueryResponder}
 * answers AMQP requests by asking the DMQ cluster (Kazoo {@code Server-ID}/{@code Msg-ID} or plain
 * {@code reply_to}/{@code correlation_id}); {@link org.kdmq.bridge.query.TargetedRequester} asks the
 * AMQP world for DMQ nodes, as the kazoo module's {@code kazoo_query} does.
 */
package org.kdmq.bridge.query;
