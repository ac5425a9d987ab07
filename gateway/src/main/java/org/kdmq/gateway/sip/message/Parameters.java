package org.kdmq.gateway.sip.message;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Parsing and writing of ";name=value" parameter lists (URI, Via and header parameters). */
final class Parameters {
    private Parameters() {
    }

    /**
     * Parses {@code ;a=1;b;c="x;y"} (the leading ';' optional). Names are lower-cased; a parameter
     * without '=' maps to "". Quoted values keep their quotes out of the value.
     */
    static Map<String, String> parse(String text, String what) {
        return parse(text, 0, text.length(), what);
    }

    /** {@link #parse(String, String)} of {@code text[from, to)}, without copying the range first. */
    static Map<String, String> parse(String text, int from, int to, String what) {
        Map<String, String> params = new LinkedHashMap<>();
        int i = from;
        while (i < to) {
            char c = text.charAt(i);
            if (c == ';' || c == ' ' || c == '\t') {
                i++;
                continue;
            }
            int nameStart = i;
            while (i < to && text.charAt(i) != '=' && text.charAt(i) != ';') {
                i++;
            }
            String name = trimmed(text, nameStart, i).toLowerCase(Locale.ROOT);
            if (name.isEmpty()) {
                throw new SipSyntaxException(what + ": empty parameter name");
            }
            if (!isToken(name)) {
                throw new SipSyntaxException(what + ": bad parameter name '" + name + "'");
            }
            String value = "";
            if (i < to && text.charAt(i) == '=') {
                i++;
                while (i < to && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
                    i++;
                }
                if (i < to && text.charAt(i) == '"') {
                    int end = closingQuote(text, i);
                    if (end < 0 || end >= to) {
                        throw new SipSyntaxException(what + ": unclosed quote in parameter '" + name + "'");
                    }
                    value = unescape(text.substring(i + 1, end));
                    i = end + 1;
                } else {
                    int valueStart = i;
                    while (i < to && text.charAt(i) != ';') {
                        i++;
                    }
                    value = trimmed(text, valueStart, i);
                    if (value.isEmpty()) {
                        throw new SipSyntaxException(what + ": parameter '" + name + "' has '=' but no value");
                    }
                }
            }
            params.put(name, value);
        }
        return Collections.unmodifiableMap(params);
    }

    /** {@code text[from, to)} without leading and trailing blanks, as one copy. */
    static String trimmed(String text, int from, int to) {
        int start = skipBlanks(text, from, to);
        return text.substring(start, endBeforeBlanks(text, start, to));
    }

    /** The first index in {@code [from, to)} that is not a blank, else {@code to}. */
    static int skipBlanks(String text, int from, int to) {
        while (from < to && isBlank(text.charAt(from))) {
            from++;
        }
        return from;
    }

    /** The end of {@code text[from, to)} once trailing blanks are dropped (at least {@code from}). */
    static int endBeforeBlanks(String text, int from, int to) {
        while (to > from && isBlank(text.charAt(to - 1))) {
            to--;
        }
        return to;
    }

    /** Whitespace as String.trim sees it: any control character or space. */
    private static boolean isBlank(char c) {
        return c <= ' ';
    }

    static void write(StringBuilder sb, Map<String, String> params) {
        for (Map.Entry<String, String> e : params.entrySet()) {
            sb.append(';').append(e.getKey());
            if (!e.getValue().isEmpty()) {
                sb.append('=');
                String v = e.getValue();
                if (needsQuotes(v)) {
                    sb.append('"').append(v.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
                } else {
                    sb.append(v);
                }
            }
        }
    }

    /** Index of the quote closing the one at {@code open}, honouring backslash escapes; -1 if none. */
    static int closingQuote(String s, int open) {
        for (int i = open + 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '"') {
                return i;
            }
        }
        return -1;
    }

    static String unescape(String quoted) {
        if (quoted.indexOf('\\') < 0) {
            return quoted;
        }
        StringBuilder sb = new StringBuilder(quoted.length());
        for (int i = 0; i < quoted.length(); i++) {
            char c = quoted.charAt(i);
            if (c == '\\' && i + 1 < quoted.length()) {
                c = quoted.charAt(++i);
            }
            sb.append(c);
        }
        return sb.toString();
    }

    static boolean isToken(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "-.!%*_+`'~[]:/&$".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return !s.isEmpty();
    }

    private static boolean needsQuotes(String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == ';' || c == ',' || c == ' ' || c == '"' || c == '?' || c == '>' || c == '<') {
                return true;
            }
        }
        return false;
    }
}
