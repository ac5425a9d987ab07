package org.kdmq.gateway.api;

import java.util.Locale;

/**
 * A node's status, named as Kamailio 6.x names them. Kamailio 5.6 calls not_active "timeout" or
 * "pending"; both are accepted on receipt. Only "active" ever goes on the wire from us, because a node
 * list carries the local node and the active ones only, so 5.6 peers never see a name they reject.
 */
public enum NodeStatus {
    ACTIVE("active"),
    NOT_ACTIVE("not_active"),
    DISABLED("disabled");

    private final String wireName;

    NodeStatus(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** Parses any status name Kamailio 5.6 or 6.x writes; null when the name is unknown. */
    public static NodeStatus fromWireName(String name) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "active" -> ACTIVE;
            case "not_active", "timeout", "pending" -> NOT_ACTIVE;
            case "disabled" -> DISABLED;
            default -> null;
        };
    }
}
