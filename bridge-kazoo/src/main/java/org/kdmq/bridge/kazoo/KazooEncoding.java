package org.kdmq.bridge.kazoo;

import java.nio.charset.StandardCharsets;

/**
 * Kazoo's routing-key encoding (kz_amqp_util:encode/1, Kamailio's kz.encode): letters, digits, '-',
 * '~' and '_' kept; '.' as %2E; space as '+'; every other byte of the UTF-8 text as %HH in upper-case
 * hex. A lone '*' or '#' passes unchanged. One-way: there is no decoder anywhere.
 *
 * Unlike Kamailio (signed-char bug), bytes from 0x80 up are encoded as Kazoo encodes them: "café" is
 * "caf%C3%A9". Unlike Kamailio, a key over 255 bytes is an error, not a silent truncation.
 */
public final class KazooEncoding {
    /** AMQP's limit on a routing key (a shortstr). */
    public static final int MAX_ROUTING_KEY_BYTES = 255;
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private KazooEncoding() {
    }

    public static String encode(String value) {
        if (value.equals("*") || value.equals("#") || value.isEmpty()) {
            return value;
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(bytes.length + 8);
        for (byte b : bytes) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '~'
                    || c == '_') {
                sb.append((char) c);
            } else if (c == ' ') {
                sb.append('+');
            } else {
                sb.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
        return sb.toString();
    }

    /** Checks a finished routing key against AMQP's 255-byte limit. */
    public static String checkRoutingKey(String key) {
        int length = key.getBytes(StandardCharsets.UTF_8).length;
        if (length > MAX_ROUTING_KEY_BYTES) {
            throw new IllegalArgumentException("routing key is " + length + " bytes, over AMQP's "
                    + MAX_ROUTING_KEY_BYTES + ": " + key.substring(0, Math.min(40, key.length())) + "...");
        }
        return key;
    }
}
