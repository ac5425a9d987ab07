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
        return name.equalsIgnoreCase(other) || other.length() == 1 && name.equalsIgnoreCase(HeaderNames.normalize(other));
    }
}
