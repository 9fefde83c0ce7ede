package io.switchboard.routing;

import io.switchboard.model.Endpoint;
import io.switchboard.model.EndpointPort;
import io.switchboard.model.EndpointSlice;
import io.switchboard.model.ServicePort;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the endpoints of a Service port in its slices, following kube-proxy: the slice port named
 * like the Service port carries the number; failing that, a named {@code targetPort} is looked up
 * among the slice port names, and a numeric one is used as is. Endpoints listed twice (by several
 * slices) count once, the first listing winning.
 */
public final class EndpointResolver {

    /** An endpoint of a Service port with the socket address its traffic goes to. */
    public record ResolvedEndpoint(InetSocketAddress socketAddress, Endpoint endpoint) {
    }

    private EndpointResolver() {
    }

    /** The endpoints of {@code port} in {@code slices}, in slice order. */
    public static List<ResolvedEndpoint> resolve(ServicePort port, List<EndpointSlice> slices) {
        Map<InetSocketAddress, ResolvedEndpoint> out = new LinkedHashMap<>();
        for (EndpointSlice slice : slices) {
            int number = targetNumber(port, slice.ports());
            if (number <= 0) {
                continue;
            }
            for (Endpoint e : slice.endpoints()) {
                InetSocketAddress sa = new InetSocketAddress(e.address(), number);
                out.putIfAbsent(sa, new ResolvedEndpoint(sa, e));
            }
        }
        return new ArrayList<>(out.values());
    }

    /** The port number endpoints of this slice listen on for {@code port}, or 0 when the slice has none. */
    public static int targetNumber(ServicePort port, List<EndpointPort> slicePorts) {
        for (EndpointPort p : slicePorts) {
            if (p.protocol() == port.protocol() && p.name().equals(port.name()) && p.port() > 0) {
                return p.port();
            }
        }
        if (port.targetPort().isNamed()) {
            for (EndpointPort p : slicePorts) {
                if (p.protocol() == port.protocol() && p.name().equals(port.targetPort().name()) && p.port() > 0) {
                    return p.port();
                }
            }
            return 0;
        }
        return port.targetPort().number();
    }
}
