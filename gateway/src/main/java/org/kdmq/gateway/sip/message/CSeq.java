package org.kdmq.gateway.sip.message;

import java.util.Locale;

/** The CSeq header: a sequence number and a method. */
public record CSeq(long sequence, String method) {
    public static CSeq parse(String value) {
        String v = value.trim();
        int space = indexOfWhitespace(v);
        if (space < 0) {
            throw new SipSyntaxException("CSeq needs a number and a method: " + value);
        }
        long seq;
        try {
            seq = Long.parseLong(v, 0, space, 10); // no substring per message
        } catch (NumberFormatException e) {
            throw new SipSyntaxException("CSeq number is not a number: " + value);
        }
        if (seq < 0 || seq > 0xFFFFFFFFL) {
            throw new SipSyntaxException("CSeq number out of range: " + value);
        }
        String method = Parameters.trimmed(v, space, v.length());
        if (method.isEmpty() || indexOfWhitespace(method) >= 0) {
            throw new SipSyntaxException("CSeq method is missing or has spaces: " + value);
        }
        return new CSeq(seq, method.toUpperCase(Locale.ROOT));
    }

    private static int indexOfWhitespace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == ' ' || s.charAt(i) == '\t') {
                return i;
            }
        }
        return -1;
    }

    @Override
    public String toString() {
        return sequence + " " + method;
    }
}
