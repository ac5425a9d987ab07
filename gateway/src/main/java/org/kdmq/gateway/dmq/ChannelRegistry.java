package org.kdmq.gateway.dmq;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.kdmq.gateway.api.ChannelHandler;
import org.kdmq.gateway.api.ChannelRegistration;
import org.kdmq.gateway.api.DispatchMode;

/** Channel name to handler (Kamailio's peer list). Names compare exactly, as Kamailio's peer_id. */
final class ChannelRegistry {
    record Channel(String name, DispatchMode mode, ChannelHandler handler) {
    }

    private final Map<String, Channel> channels = new ConcurrentHashMap<>();
    private final int maxNameLength;

    ChannelRegistry(int maxNameLength) {
        this.maxNameLength = maxNameLength;
    }

    ChannelRegistration register(String name, DispatchMode mode, ChannelHandler handler) {
        String problem = validateName(name);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        Channel channel = new Channel(name, mode, handler);
        if (channels.putIfAbsent(name, channel) != null) {
            throw new IllegalStateException("channel already registered: " + name);
        }
        return new ChannelRegistration() {
            @Override
            public String channel() {
                return name;
            }

            @Override
            public void close() {
                channels.remove(name, channel);
            }
        };
    }

    Channel find(String name) {
        return name == null ? null : channels.get(name);
    }

    /** Null when valid, else why: letters, digits and RFC 3261 unreserved marks, so it is a plain URI user part. */
    String validateName(String name) {
        if (name == null || name.isEmpty()) {
            return "Missing channel name";
        }
        if (name.length() > maxNameLength) {
            return "Channel name longer than " + maxNameLength;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "-_.!~*'()".indexOf(c) >= 0;
            if (!ok) {
                return "Invalid character in channel name";
            }
        }
        return null;
    }
}
