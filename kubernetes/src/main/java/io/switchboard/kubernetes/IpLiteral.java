package io.switchboard.kubernetes;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** Parses IP address literals only: a host name is an error here, never a DNS lookup. */
public final class IpLiteral {

    private static final Pattern V4 = Pattern.compile(
            "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
    private static final Pattern V6 = Pattern.compile("[0-9a-fA-F:.]+");

    private IpLiteral() {
    }

    /** The address, or an exception naming the bad text. */
    public static InetAddress parse(String text) {
        if (text != null && (V4.matcher(text).matches() || (text.contains(":") && V6.matcher(text).matches()))) {
            try {
                return InetAddress.getByName(text);
            } catch (UnknownHostException e) {
                // Falls through: a malformed IPv6 literal.
            }
        }
        throw new IllegalArgumentException("\"" + text + "\" is not an IP address");
    }
}
