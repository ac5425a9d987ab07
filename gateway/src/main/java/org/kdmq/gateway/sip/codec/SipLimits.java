package org.kdmq.gateway.sip.codec;

/**
 * Every limit the parser and framer enforce, in one place (as Netty's HttpDecoderConfig). Over a
 * limit the input is refused with a {@link SipParseException}, never buffered without bound.
 *
 * @param maxMessageSize start line, headers and body together
 * @param maxHeaders     header lines (after unfolding)
 * @param maxLineLength  one line, including a folded header's continuation lines
 * @param maxBodySize    body bytes
 */
public record SipLimits(int maxMessageSize, int maxHeaders, int maxLineLength, int maxBodySize) {
    public static final int DEFAULT_MAX_MESSAGE_SIZE = 64 * 1024;
    private static final SipLimits DEFAULTS = new SipLimits(DEFAULT_MAX_MESSAGE_SIZE, 256, 8192, DEFAULT_MAX_MESSAGE_SIZE);

    public SipLimits {
        if (maxMessageSize < 256 || maxHeaders < 8 || maxLineLength < 64 || maxBodySize < 0) {
            throw new IllegalArgumentException("SIP limits too small: message >= 256, headers >= 8, line >= 64, body >= 0");
        }
    }

    public static SipLimits defaults() {
        return DEFAULTS;
    }
}
