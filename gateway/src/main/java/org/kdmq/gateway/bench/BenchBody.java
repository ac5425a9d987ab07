package org.kdmq.gateway.bench;

import java.util.Arrays;

/** The payload every bench message carries. */
final class BenchBody {
    static final String CONTENT_TYPE = "text/plain";

    private BenchBody() {
    }

    /** {@code size} printable bytes; the same array for every message (nothing retains it). */
    static byte[] of(int size) {
        byte[] body = new byte[size];
        Arrays.fill(body, (byte) 'x');
        return body;
    }
}
