package io.switchboard.model;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * One endpoint of an EndpointSlice.
 *
 * @param addresses  its addresses; kube-proxy uses the first
 * @param conditions ready, serving, terminating
 * @param nodeName   the node it runs on, or null
 * @param zone       its zone, or null
 * @param targetName the name of the pod it belongs to, or null
 */
public record Endpoint(List<InetAddress> addresses, EndpointConditions conditions, String nodeName, String zone,
                       String targetName) {

    public Endpoint {
        addresses = List.copyOf(addresses);
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("an endpoint needs an address");
        }
        Objects.requireNonNull(conditions, "conditions");
    }

    /** The address traffic goes to. */
    public InetAddress address() {
        return addresses.get(0);
    }
}
