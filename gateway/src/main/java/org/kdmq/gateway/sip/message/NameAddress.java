package org.kdmq.gateway.sip.message;

import java.util.Map;

/** STUB: API fixed, implementation pending (helper A). name-addr / addr-spec with header params (From, To, Contact). */
public final class NameAddress {
    public static NameAddress parse(String text) { throw new UnsupportedOperationException(); }
    /** Display name without quotes, or null. */
    public String displayName() { throw new UnsupportedOperationException(); }
    public SipUri uri() { throw new UnsupportedOperationException(); }
    /** Header parameters (after the URI / '>'), names lower-cased. */
    public Map<String, String> parameters() { throw new UnsupportedOperationException(); }
    public String tag() { throw new UnsupportedOperationException(); }
    @Override public String toString() { throw new UnsupportedOperationException(); }
}
