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

    /** A block {@code ADDRESS/PREFIX} (a bare address is its own /32 or /128), or an exception naming the text. */
    public static io.switchboard.model.Cidr cidr(String text) {
        int slash = text == null ? -1 : text.indexOf('/');
        InetAddress a = parse(slash < 0 ? text : text.substring(0, slash));
        if (slash < 0) {
            return io.switchboard.model.Cidr.host(a);
        }
        String len = text.substring(slash + 1);
        if (!len.matches("\\d{1,3}")) {
            throw new IllegalArgumentException("\"" + text + "\" is not a CIDR: bad prefix length");
        }
        try {
            return new io.switchboard.model.Cidr(a, Integer.parseInt(len));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("\"" + text + "\" is not a CIDR: " + e.getMessage(), e);
        }
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
