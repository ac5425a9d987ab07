package org.kdmq.gateway.api;

/** How a channel's requests reach its handler, after Kamailio's dmq_handle_message / dmq_process_message. */
public enum DispatchMode {
    /**
     * Queued to the worker pool (num_workers threads), in arrival order per sending node and channel.
     * Handlers may block. Unlike Kamailio, whose workers do not keep order, order is kept.
     */
    HANDLE,
    /**
     * Called at once on the network thread that received the request. The handler must not block: it
     * returns a stage and does any slow work elsewhere. For cheap handlers that want the lowest latency.
     */
    PROCESS
}
