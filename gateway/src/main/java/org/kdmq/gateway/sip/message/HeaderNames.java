package org.kdmq.gateway.sip.message;

import java.util.Locale;
import java.util.Map;

/** Canonical SIP header names and the RFC 3261 compact forms (section 7.3.3, plus RFC 3515/3841 ones). */
public final class HeaderNames {
    public static final String VIA = "Via";
    public static final String FROM = "From";
    public static final String TO = "To";
    public static final String CALL_ID = "Call-ID";
    public static final String CSEQ = "CSeq";
    public static final String CONTACT = "Contact";
    public static final String CONTENT_LENGTH = "Content-Length";
    public static final String CONTENT_TYPE = "Content-Type";
    public static final String CONTENT_ENCODING = "Content-Encoding";
    public static final String MAX_FORWARDS = "Max-Forwards";
    public static final String USER_AGENT = "User-Agent";
    public static final String SERVER = "Server";
    public static final String SUPPORTED = "Supported";
    public static final String SUBJECT = "Subject";
    public static final String EVENT = "Event";
    public static final String REFER_TO = "Refer-To";
    public static final String ALLOW_EVENTS = "Allow-Events";

    private static final Map<String, String> COMPACT = Map.ofEntries(
            Map.entry("i", CALL_ID), Map.entry("f", FROM), Map.entry("t", TO), Map.entry("v", VIA),
            Map.entry("l", CONTENT_LENGTH), Map.entry("c", CONTENT_TYPE), Map.entry("m", CONTACT),
            Map.entry("k", SUPPORTED), Map.entry("s", SUBJECT), Map.entry("e", CONTENT_ENCODING),
            Map.entry("o", EVENT), Map.entry("r", REFER_TO), Map.entry("u", ALLOW_EVENTS));

    private static final Map<String, String> CANONICAL = Map.ofEntries(
            Map.entry("via", VIA), Map.entry("from", FROM), Map.entry("to", TO), Map.entry("call-id", CALL_ID),
            Map.entry("cseq", CSEQ), Map.entry("contact", CONTACT), Map.entry("content-length", CONTENT_LENGTH),
            Map.entry("content-type", CONTENT_TYPE), Map.entry("content-encoding", CONTENT_ENCODING),
            Map.entry("max-forwards", MAX_FORWARDS), Map.entry("user-agent", USER_AGENT),
            Map.entry("server", SERVER), Map.entry("supported", SUPPORTED), Map.entry("subject", SUBJECT),
            Map.entry("event", EVENT), Map.entry("refer-to", REFER_TO), Map.entry("allow-events", ALLOW_EVENTS));

    private HeaderNames() {
    }

    /** The headers every message is asked for, numbered by {@link #slot}. */
    private static final String[] INDEXED = {VIA, FROM, TO, CALL_ID, CSEQ, CONTENT_LENGTH, CONTENT_TYPE, MAX_FORWARDS};
    static final int SLOTS = INDEXED.length;

    /**
     * The number of one of the {@link #INDEXED} headers, -1 for any other name (compact forms and
     * other spellings included: they take the slow path). Compares by identity: stored names are the
     * constants.
     */
    static int slot(String name) {
        for (int i = 0; i < INDEXED.length; i++) {
            if (INDEXED[i] == name) {
                return i;
            }
        }
        return -1;
    }

    /** Each canonical spelling to its constant, so a parsed name becomes the constant itself. */
    private static final Map<String, String> CONSTANT = Map.copyOf(
            CANONICAL.values().stream().collect(java.util.stream.Collectors.toMap(v -> v, v -> v)));

    private static final String[] SPELLED = CANONICAL.values().toArray(String[]::new);
    private static final byte[][] SPELLED_BYTES = java.util.Arrays.stream(SPELLED)
            .map(n -> n.getBytes(java.nio.charset.StandardCharsets.US_ASCII)).toArray(byte[][]::new);

    /**
     * The constant for a name spelled exactly as above in {@code data[from, to)}, else null. Lets a
     * parser skip making (and then looking up) a String for the names nearly every message uses.
     */
    public static String known(byte[] data, int from, int to) {
        int length = to - from;
        for (int i = 0; i < SPELLED_BYTES.length; i++) {
            byte[] spelled = SPELLED_BYTES[i];
            if (spelled.length == length && java.util.Arrays.equals(spelled, 0, length, data, from, to)) {
                return SPELLED[i];
            }
        }
        return null;
    }

    /**
     * The name a header is stored under: compact forms expanded, well-known names as the constants
     * above (so {@link SipHeader#hasName} can compare them by identity), any other name kept as
     * received (lookups ignore case anyway).
     */
    public static String normalize(String name) {
        for (String spelled : SPELLED) {
            if (spelled == name) {
                return name; // already the constant: what the parser hands over for nearly every header
            }
        }
        String constant = CONSTANT.get(name);
        if (constant != null) {
            return constant; // the common case, without a lower-cased copy per header per message
        }
        if (name.length() == 1) {
            String full = COMPACT.get(name.toLowerCase(Locale.ROOT));
            if (full != null) {
                return full;
            }
        }
        String canonical = CANONICAL.get(name.toLowerCase(Locale.ROOT));
        return canonical != null ? canonical : name;
    }
}
