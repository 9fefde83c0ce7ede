package io.switchboard.store;

import io.switchboard.model.ClusterSnapshot;
import io.switchboard.model.EndpointSlice;
import io.switchboard.model.Service;
import io.switchboard.model.ServicePort;
import io.switchboard.routing.EndpointResolver;
import java.util.ArrayList;
import java.util.List;

/**
 * The cross-object check between a Service and its endpoints: a named {@code targetPort} must name a
 * port of the Service's endpoint slices, or no endpoint could be reached at it. A Service without
 * endpoints yet passes: there is nothing to name.
 */
final class TargetPorts {

    private TargetPorts() {
    }

    /** The error about the first named target port of {@code d}'s Service that {@code slices} lack, or null. */
    static ValidationError problem(Definition d, List<EndpointSlice> slices) {
        Service svc = ((Mapped.OfService) d.mapped()).service();
        List<EndpointSlice> own = ClusterSnapshot.preferSlices(slices);
        if (own.isEmpty()) {
            return null;
        }
        for (int i = 0; i < svc.ports().size(); i++) {
            ServicePort p = svc.ports().get(i);
            if (p.targetPort().isNamed()
                    && own.stream().noneMatch(s -> EndpointResolver.targetNumber(p, s.ports()) > 0)) {
                return d.error("spec.ports[" + i + "].targetPort", "\"" + p.targetPort().name()
                        + "\" names no port of the Service's endpoints (ports: " + portNames(own) + ")");
            }
        }
        return null;
    }

    private static String portNames(List<EndpointSlice> slices) {
        List<String> names = new ArrayList<>();
        for (EndpointSlice s : slices) {
            s.ports().forEach(p -> names.add((p.name().isEmpty() ? "<unnamed>" : p.name()) + "=" + p.port()));
        }
        return String.join(", ", names);
    }
}
