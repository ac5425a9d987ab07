package org.kdmq.gateway.sip.message;

import java.util.Arrays;
import java.util.Objects;

/** Where a message builder's body is: part of an array (a datagram, say), copied once when the message is built. */
record BodySlice(byte[] source, int offset, int length) {
    static final BodySlice NONE = new BodySlice(new byte[0], 0, 0);

    BodySlice {
        Objects.checkFromIndexSize(offset, length, Objects.requireNonNull(source, "source").length);
    }

    /** The whole array; none for null. */
    static BodySlice of(byte[] whole) {
        return whole == null ? NONE : new BodySlice(whole, 0, whole.length);
    }

    byte[] copy() {
        return Arrays.copyOfRange(source, offset, offset + length);
    }
}
