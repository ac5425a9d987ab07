package org.kdmq.gateway.bench;

import java.util.Arrays;

/** The payload every bench message carries. */
final class BenchBody {
    static final String CONTENT_TYPE = "text/plain";

    private BenchBody() {
    }

    static final String QUERY_CONTENT_TYPE = "application/json";

    /**
     * A query: a JSON object (what a bridge's query channel takes), padded to {@code size} bytes when
     * that is longer than the object itself.
     */
    static byte[] query(int size) {
        String head = "{\"Event-Category\":\"bench\",\"Event-Name\":\"query\",\"Padding\":\"";
        String tail = "\"}";
        int pad = Math.max(0, size - head.length() - tail.length());
        return (head + "x".repeat(pad) + tail).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** {@code size} printable bytes; the same array for every message (nothing retains it). */
    static byte[] of(int size) {
        byte[] body = new byte[size];
        Arrays.fill(body, (byte) 'x');
        return body;
    }
}
