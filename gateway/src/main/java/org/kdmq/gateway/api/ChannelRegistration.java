package org.kdmq.gateway.api;

/** A registered channel; closing it unregisters the handler (requests then get 404, as unknown). */
public interface ChannelRegistration extends AutoCloseable {
    String channel();

    @Override
    void close();
}
