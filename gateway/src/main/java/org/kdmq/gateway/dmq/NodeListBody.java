package org.kdmq.gateway.dmq;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import org.kdmq.gateway.api.NodeAddress;
import org.kdmq.gateway.api.NodeStatus;
import java.util.List;
import org.kdmq.gateway.sip.message.SipSyntaxException;
import org.kdmq.gateway.sip.message.SipUri;

/**
 * The notification_peer body: one {@code sip:HOST:PORT[;transport=T];status=S} line per node, each
 * ending in CRLF, content type text/plain (Kamailio's build_notification_body / extract_node_list).
 * Parsing is all-or-nothing: a bad line rejects the whole body, so a half-applied list never happens.
 */
public final class NodeListBody {
    public static final String CONTENT_TYPE = "text/plain";

    /** One line of a received list; status is null when the line has no status parameter. */
    public record Line(NodeAddress address, NodeStatus status) {
    }

    private NodeListBody() {
    }

    /** Formats entries in the given order: Kamailio's byte format, no size limit. */
    public static byte[] format(Collection<Line> lines) {
        StringBuilder sb = new StringBuilder(lines.size() * 40);
        for (Line line : lines) {
            sb.append(line.address().toUriString()).append(";status=").append(line.status().wireName())
                    .append("\r\n");
        }
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Parses a received list. Lines are split at LF, trailing whitespace (CR, spaces, NUL) trimmed as
     * Kamailio trims; blank lines are skipped (Kamailio would fail on them, to no one's benefit).
     *
     * @throws MalformedNodeListException naming the first bad line and why
     */
    public static List<Line> parse(byte[] body, int maxNodes) throws MalformedNodeListException {
        String text = new String(body, StandardCharsets.UTF_8);
        List<Line> lines = new ArrayList<>();
        int lineNumber = 0;
        int start = 0;
        while (start < text.length()) {
            int end = text.indexOf('\n', start);
            if (end < 0) {
                end = text.length();
            }
            lineNumber++;
            String raw = trimTrailing(text.substring(start, end));
            start = end + 1;
            if (raw.isBlank()) {
                continue;
            }
            if (lines.size() >= maxNodes) {
                throw new MalformedNodeListException(lineNumber, "more than " + maxNodes + " nodes");
            }
            lines.add(parseLine(raw.trim(), lineNumber));
        }
        return lines;
    }

    /**
     * Parsed lines by text. Node lists repeat the same lines over and over (every ping carries the whole
     * list), so in a big cluster this turns most of the parsing into a lookup. Bounded: cleared when full.
     */
    private static final java.util.Map<String, Line> CACHE = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int CACHE_LIMIT = 50_000;

    private static Line parseLine(String raw, int lineNumber) throws MalformedNodeListException {
        Line cached = CACHE.get(raw);
        if (cached != null) {
            return cached;
        }
        Line parsed = parseUncached(raw, lineNumber);
        if (CACHE.size() >= CACHE_LIMIT) {
            CACHE.clear();
        }
        CACHE.put(raw, parsed);
        return parsed;
    }

    private static Line parseUncached(String raw, int lineNumber) throws MalformedNodeListException {
        SipUri uri;
        try {
            uri = SipUri.parse(raw);
        } catch (SipSyntaxException e) {
            throw new MalformedNodeListException(lineNumber, "not a node URI (" + e.getMessage() + ")");
        }
        NodeAddress address;
        try {
            address = NodeAddress.fromUri(uri);
        } catch (SipSyntaxException e) {
            throw new MalformedNodeListException(lineNumber, e.getMessage());
        }
        String statusText = uri.parameter("status");
        NodeStatus status = null;
        if (statusText != null) {
            status = NodeStatus.fromWireName(statusText);
            if (status == null) {
                throw new MalformedNodeListException(lineNumber, "unknown status '" + statusText + "'");
            }
        }
        return new Line(address, status);
    }

    private static String trimTrailing(String s) {
        int end = s.length();
        while (end > 0) {
            char c = s.charAt(end - 1);
            if (c == '\r' || c == ' ' || c == '\t' || c == '\0') {
                end--;
            } else {
                break;
            }
        }
        return s.substring(0, end);
    }
}
