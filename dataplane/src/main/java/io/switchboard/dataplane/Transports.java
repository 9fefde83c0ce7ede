package io.switchboard.dataplane;

import java.util.Objects;

/**
 * The transports the data plane runs on: {@code stream} for TCP (listeners, relays, HTTP, endpoint
 * connections, health checks) and {@code datagram} for UDP (listeners and flow sockets). They differ
 * only for {@code --transport auto}, which {@link Transport#best()} and
 * {@link Transport#bestForDatagrams()} describe; an explicit choice runs both on the one named.
 *
 * @param stream   the TCP transport
 * @param datagram the UDP transport
 */
public record Transports(Transport stream, Transport datagram) {

    public Transports {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(datagram, "datagram");
        if (stream.reusePort() != datagram.reusePort()) {
            // ListenerManager binds one socket per loop with SO_REUSEPORT, or one socket without, for both.
            throw new IllegalArgumentException("transports " + stream.label() + " and " + datagram.label()
                    + " do not agree on SO_REUSEPORT");
        }
    }

    /** Both on {@code transport}. */
    public static Transports of(Transport transport) {
        return new Transports(transport, transport);
    }

    /** What {@code auto} picks. */
    public static Transports auto() {
        return new Transports(Transport.best(), Transport.bestForDatagrams());
    }

    /**
     * The transports {@code --transport choice} names ({@code auto}, {@code io_uring}, {@code epoll} or
     * {@code nio}, as {@link Transport#select} reads them); a native transport this machine lacks is refused
     * with the reason.
     */
    public static Transports select(String choice) {
        Transport t = Transport.select(choice);
        return Transport.isAuto(choice) ? auto() : of(t);
    }

    /** True when UDP runs on a transport of its own. */
    public boolean split() {
        return stream != datagram;
    }
}
