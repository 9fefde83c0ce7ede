package io.switchboard.admin;

import io.switchboard.kubernetes.IpLiteral;
import java.net.InetAddress;
import java.net.URI;
import java.util.Locale;

/**
 * Which admin requests are refused before they are served, and why: on a loopback bind, a
 * {@code Host} that is not loopback (a page on another site whose name was rebound to 127.0.0.1);
 * and a state-changing request (any POST) without the {@value #ACTION_HEADER} header, or from
 * another origin. A browser sends no custom header cross-site without a CORS preflight, which this
 * server never grants, so a cross-site form cannot flush flows or take the node's ports.
 */
public final class AdminRequestGuard {

    /** The header a state-changing request must carry (any value); {@code switchboard} sends it. */
    public static final String ACTION_HEADER = "X-Switchboard-Action";

    private AdminRequestGuard() {
    }

    /**
     * Null when the request may be served, else why not.
     *
     * @param bound          the address the admin server listens on
     * @param method         the request method
     * @param host           the {@code Host} header, or null
     * @param origin         the {@code Origin} header, or null
     * @param carriesAction  whether it has {@value #ACTION_HEADER} (or the handover's own header)
     */
    public static String refusal(InetAddress bound, String method, String host, String origin,
                                 boolean carriesAction) {
        if (bound.isLoopbackAddress() && host != null && !isLoopback(hostOf(host))) {
            return "Host \"" + host + "\" is not this admin server, which listens on loopback only"
                    + " (a name rebound to 127.0.0.1?)";
        }
        if (!"GET".equals(method) && !"HEAD".equals(method)) {
            if (!carriesAction) {
                return "a state-changing request needs the " + ACTION_HEADER + " header (a cross-site form"
                        + " cannot send one)";
            }
            if (origin != null && !origin.equals("null") && host != null && !sameAuthority(origin, host)) {
                return "Origin \"" + origin + "\" is not this admin server (" + host + ")";
            }
            if ("null".equals(origin)) {
                return "Origin \"null\" (a sandboxed or file page) may not change state";
            }
        }
        return null;
    }

    /** The host part of a {@code Host} header: without the port, brackets removed. */
    static String hostOf(String host) {
        String h = host.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end < 0 ? h : h.substring(1, end);
        }
        int colon = h.indexOf(':');
        return colon < 0 || h.indexOf(':', colon + 1) >= 0 ? h : h.substring(0, colon);
    }

    static boolean isLoopback(String host) {
        if (host.equals("localhost") || host.endsWith(".localhost")) {
            return true;
        }
        try {
            return IpLiteral.parse(host).isLoopbackAddress();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean sameAuthority(String origin, String host) {
        try {
            URI u = URI.create(origin);
            String authority = u.getRawAuthority();
            return authority != null && authority.equalsIgnoreCase(host.trim());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
