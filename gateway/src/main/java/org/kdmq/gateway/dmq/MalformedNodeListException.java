package org.kdmq.gateway.dmq;

/** A node-list body we cannot take: which line, and why. The message fits a SIP reason phrase. */
public final class MalformedNodeListException extends Exception {
    private final int lineNumber;

    public MalformedNodeListException(int lineNumber, String why) {
        super("Malformed node list: line " + lineNumber + ": " + why);
        this.lineNumber = lineNumber;
    }

    public int lineNumber() {
        return lineNumber;
    }
}
