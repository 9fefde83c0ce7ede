package io.switchboard.model;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * The one way Switchboard writes an address as {@code host:port}: IPv6 literals in brackets
 * ({@code [fd00::1]:80}), as RFC 3986 requires in an authority and as a reader needs to tell the
 * port from the address; IPv4 addresses and host names as they are.
 */
public final class HostPort {

    private HostPort() {
    }

    /** {@code host:port}, bracketing {@code host} when it is an IPv6 literal not bracketed already. */
    public static String of(String host, int port) {
        return host(host) + ":" + port;
    }

    /** {@code host:port} of an IP address: its numeric form, IPv6 in brackets. */
    public static String of(InetAddress address, int port) {
        return of(address.getHostAddress(), port);
    }

    /**
     * {@code host:port} of a socket address: the numeric address when resolved (never a reverse
     * lookup), the name it was given when not.
     */
    public static String of(InetSocketAddress address) {
        InetAddress ip = address.getAddress();
        return of(ip != null ? ip.getHostAddress() : address.getHostString(), address.getPort());
    }

    /**
     * {@code host} as it stands before {@code :port}: in brackets when it is an IPv6 literal (the only
     * kind of host with a colon in it), unchanged otherwise.
     */
    public static String host(String host) {
        Objects.requireNonNull(host, "host");
        return host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
    }
}
