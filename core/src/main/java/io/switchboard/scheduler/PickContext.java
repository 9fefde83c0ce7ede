package io.switchboard.scheduler;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;

/**
 * What a scheduler knows about the connection it places: client and service addresses (for the
 * hashing schedulers), the destinations a retry already tried, and whether health may be ignored.
 *
 * @param clientAddress  source address of the connection
 * @param clientPort     source port
 * @param serviceAddress the Service address the client connected to
 * @param servicePort    the Service port
 * @param excluded       destinations not to pick again (compared by identity)
 * @param ignoreHealth   pick even destinations marked unavailable, used when all of them are
 * @param hashKey        what the hashing schedulers hash instead of the client address (an HTTP header
 *                       or cookie), when {@code hashed}
 * @param hashed         whether {@code hashKey} is set
 */
public record PickContext(InetAddress clientAddress, int clientPort, InetAddress serviceAddress, int servicePort,
                          List<? extends Destination> excluded, boolean ignoreHealth, long hashKey, boolean hashed) {

    public PickContext {
        Objects.requireNonNull(clientAddress, "clientAddress");
        Objects.requireNonNull(serviceAddress, "serviceAddress");
        excluded = excluded == null ? List.of() : excluded;
    }

    /** A context for a first attempt. */
    public static PickContext of(InetAddress client, int clientPort, InetAddress service, int servicePort) {
        return new PickContext(client, clientPort, service, servicePort, List.of(), false, 0, false);
    }

    /** The same connection, not going to any of {@code tried}. */
    public PickContext excluding(List<? extends Destination> tried) {
        return new PickContext(clientAddress, clientPort, serviceAddress, servicePort, tried, ignoreHealth, hashKey,
                hashed);
    }

    /** The same connection, ignoring health marks. */
    public PickContext ignoringHealth() {
        return new PickContext(clientAddress, clientPort, serviceAddress, servicePort, excluded, true, hashKey, hashed);
    }

    /** The same request, hashed on {@code key} (a header or cookie value) rather than the client address. */
    public PickContext withHashKey(long key) {
        return new PickContext(clientAddress, clientPort, serviceAddress, servicePort, excluded, ignoreHealth, key,
                true);
    }

    /** True when the destination may be picked: available (or health ignored) and not excluded. */
    public boolean usable(Destination d) {
        return (ignoreHealth || d.isAvailable()) && !excludes(d);
    }

    /** True when a retry already tried {@code d}. */
    public boolean excludes(Destination d) {
        for (int i = 0; i < excluded.size(); i++) {
            if (excluded.get(i) == d) {
                return true;
            }
        }
        return false;
    }

    /** The client address folded to 32 bits as IPVS does (IPv6 words XORed). */
    public int foldedClientAddress() {
        return fold(clientAddress);
    }

    /** The service address folded to 32 bits. */
    public int foldedServiceAddress() {
        return fold(serviceAddress);
    }

    static int fold(InetAddress address) {
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            return ByteBuffer.wrap(b).getInt();
        }
        ByteBuffer buf = ByteBuffer.wrap(b);
        return buf.getInt() ^ buf.getInt() ^ buf.getInt() ^ buf.getInt();
    }
}
