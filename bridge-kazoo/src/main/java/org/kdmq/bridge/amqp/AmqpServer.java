package org.kdmq.bridge.amqp;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Objects;

/**
 * One {@code --amqp-connection} value, as the kazoo module reads amqp_connection: an optional
 * {@code zone=NAME;} prefix (else the primary zone), then an {@code amqp://} or {@code amqps://} URL;
 * {@code kazoo://} is the legacy alias of {@code amqp://} (never TLS). {@link #toString()} hides the password.
 *
 * @param id 1-based, in configuration order (Kamailio's server id)
 */
public record AmqpServer(int id, String zone, URI uri) {
    public static final String DEFAULT_PRIMARY_ZONE = "local";

    public AmqpServer {
        Objects.requireNonNull(zone, "zone");
        Objects.requireNonNull(uri, "uri");
    }

    public static AmqpServer parse(int id, String value, String primaryZone) {
        String text = value.trim();
        String zone = primaryZone;
        if (text.regionMatches(true, 0, "zone=", 0, 5)) {
            int semi = text.indexOf(';');
            if (semi < 0) {
                throw new IllegalArgumentException("zone=NAME must be followed by ';' and a URL: " + masked(text));
            }
            zone = text.substring(5, semi).trim();
            if (zone.isEmpty()) {
                throw new IllegalArgumentException("empty zone name in " + masked(text));
            }
            text = text.substring(semi + 1).trim();
        }
        if (text.regionMatches(true, 0, "kazoo://", 0, 8)) {
            text = "amqp://" + text.substring(8);
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URL: " + masked(text));
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("amqp") && !scheme.equals("amqps")) {
            throw new IllegalArgumentException("AMQP URLs start with amqp://, amqps:// or kazoo://: " + masked(text));
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("AMQP URL without a host: " + masked(text));
        }
        return new AmqpServer(id, zone, uri);
    }

    public boolean tls() {
        return "amqps".equalsIgnoreCase(uri.getScheme());
    }

    public boolean inZone(String name) {
        return zone.equals(name);
    }

    /** The URL as it may be logged: password replaced. */
    public String safeUrl() {
        return masked(uri.toString());
    }

    public static String masked(String url) {
        return url.replaceAll("(//[^:/@]*):[^@/]*@", "$1:****@");
    }

    @Override
    public String toString() {
        return "AmqpServer[" + id + " zone=" + zone + " " + safeUrl() + "]";
    }
}
