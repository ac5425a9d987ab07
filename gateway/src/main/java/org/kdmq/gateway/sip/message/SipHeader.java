package org.kdmq.gateway.sip.message;

import java.util.Objects;

/** One header field line: a name (normalized, see {@link HeaderNames#normalize}) and its raw value. */
public record SipHeader(String name, String value) {
    public SipHeader {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        name = HeaderNames.normalize(name);
    }

    public boolean hasName(String other) {
        if (name == other) {
            return true; // both the same HeaderNames constant: the usual case
        }
        if (other.length() == 1) {
            return name.equalsIgnoreCase(HeaderNames.normalize(other));
        }
        return name.equalsIgnoreCase(other); // different lengths answer at once, as most names do
    }
}
