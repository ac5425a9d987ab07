package org.kdmq.gateway.sip.message;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * An immutable, ordered list of header fields. Names compare case-insensitively and compact forms
 * are expanded, so {@code first("i")} and {@code first("call-id")} find the same field.
 * Header fields with comma-separated values (several Via in one line) are kept as they came.
 */
public final class SipHeaders {
    private static final SipHeaders EMPTY = new SipHeaders(List.of());

    private final List<SipHeader> fields;
    /**
     * Where the first field of each of the headers every message is asked for sits ({@link
     * HeaderNames#slot}), -1 when absent: each layer asks for Call-ID, CSeq, Via... and a scan of the
     * list per question added up.
     */
    private final byte[] firstIndex;

    private SipHeaders(List<SipHeader> fields) {
        this.fields = fields;
        this.firstIndex = new byte[HeaderNames.SLOTS];
        java.util.Arrays.fill(firstIndex, (byte) -1);
        for (int i = 0; i < fields.size() && i < Byte.MAX_VALUE; i++) {
            int slot = HeaderNames.slot(fields.get(i).name());
            if (slot >= 0 && firstIndex[slot] < 0) {
                firstIndex[slot] = (byte) i;
            }
        }
    }

    public static SipHeaders empty() {
        return EMPTY;
    }

    public static SipHeaders of(List<SipHeader> fields) {
        return new SipHeaders(List.copyOf(fields));
    }

    /** These fields with {@code field} before them: one array copy, no builder. */
    public SipHeaders withFirst(SipHeader field) {
        SipHeader[] all = new SipHeader[fields.size() + 1];
        all[0] = java.util.Objects.requireNonNull(field, "field");
        for (int i = 0; i < fields.size(); i++) {
            all[i + 1] = fields.get(i);
        }
        return wrap(all);
    }

    /** These fields with the one at {@code index} replaced: one array copy, no builder. */
    public SipHeaders withReplaced(int index, SipHeader field) {
        SipHeader[] all = fields.toArray(new SipHeader[0]);
        all[index] = java.util.Objects.requireNonNull(field, "field");
        return wrap(all);
    }

    /** An array nobody else holds, as the immutable list (no copy: List.copyOf would make one). */
    private static SipHeaders wrap(SipHeader[] owned) {
        return new SipHeaders(Collections.unmodifiableList(java.util.Arrays.asList(owned)));
    }

    public List<SipHeader> asList() {
        return fields;
    }

    public int size() {
        return fields.size();
    }

    public Optional<String> first(String name) {
        int slot = HeaderNames.slot(name);
        if (slot >= 0 && (firstIndex[slot] >= 0 || fields.size() < Byte.MAX_VALUE)) {
            int at = firstIndex[slot];
            return at < 0 ? Optional.empty() : Optional.of(fields.get(at).value());
        }
        for (SipHeader h : fields) {
            if (h.hasName(name)) {
                return Optional.of(h.value());
            }
        }
        return Optional.empty();
    }

    public List<String> all(String name) {
        List<String> values = new ArrayList<>(2);
        for (SipHeader h : fields) {
            if (h.hasName(name)) {
                values.add(h.value());
            }
        }
        return Collections.unmodifiableList(values);
    }

    public boolean contains(String name) {
        return first(name).isPresent();
    }

    /** A builder starting from these fields; they are copied only when the builder first changes them. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SipHeaders other && fields.equals(other.fields);
    }

    @Override
    public int hashCode() {
        return fields.hashCode();
    }

    @Override
    public String toString() {
        return fields.toString();
    }

    /**
     * Mutable, single-threaded builder; {@link #build()} makes the immutable value. A builder that was
     * never changed builds the very value it started from: a parsed message's headers pass through its
     * message builder without a copy.
     */
    public static final class Builder {
        private SipHeaders unchanged;
        private List<SipHeader> fields;

        private Builder(SipHeaders initial) {
            this.unchanged = initial;
        }

        private Builder() {
            this.fields = new ArrayList<>(8);
        }

        /** The fields to change, copied from the starting value the first time. */
        private List<SipHeader> fields() {
            if (fields == null) {
                fields = new ArrayList<>(unchanged.fields);
                unchanged = null;
            }
            return fields;
        }

        /** Appends a field after the existing ones. */
        public Builder add(String name, String value) {
            fields().add(new SipHeader(name, value));
            return this;
        }

        /** Appends a field as it is (fields are immutable: a copy from another message needs no new one). */
        public Builder add(SipHeader field) {
            fields().add(java.util.Objects.requireNonNull(field, "field"));
            return this;
        }

        /** Inserts a field before all others (as a proxy prepends its Via). */
        public Builder addFirst(String name, String value) {
            fields().add(0, new SipHeader(name, value));
            return this;
        }

        /** Replaces the first field of that name in place (keeping its position), or appends it. */
        public Builder set(String name, String value) {
            SipHeader replacement = new SipHeader(name, value);
            List<SipHeader> fields = fields();
            boolean replaced = false;
            for (int i = 0; i < fields.size(); i++) {
                if (fields.get(i).hasName(name)) {
                    if (!replaced) {
                        fields.set(i, replacement);
                        replaced = true;
                    } else {
                        fields.remove(i--);
                    }
                }
            }
            if (!replaced) {
                fields.add(replacement);
            }
            return this;
        }

        public Builder remove(String name) {
            fields().removeIf(h -> h.hasName(name));
            return this;
        }

        /** Removes only the first field of that name (the top Via, when a response is forwarded). */
        public Builder removeFirst(String name) {
            List<SipHeader> fields = fields();
            for (int i = 0; i < fields.size(); i++) {
                if (fields.get(i).hasName(name)) {
                    fields.remove(i);
                    break;
                }
            }
            return this;
        }

        public SipHeaders build() {
            if (unchanged != null) {
                return unchanged;
            }
            return fields.isEmpty() ? EMPTY : new SipHeaders(List.copyOf(fields));
        }
    }
}
