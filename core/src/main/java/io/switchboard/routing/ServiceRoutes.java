package io.switchboard.routing;

import io.switchboard.model.Service;
import java.util.List;

/**
 * Everything the routing table holds for one Service: the addresses it answers on, its pools, and
 * all its endpoints including those not usable now (shown by the admin view, kept for their counts).
 */
public record ServiceRoutes(Service service, List<VirtualService> virtualServices, List<BackendPool> pools,
                            List<Backend> allBackends) {

    public ServiceRoutes {
        virtualServices = List.copyOf(virtualServices);
        pools = List.copyOf(pools);
        allBackends = List.copyOf(allBackends);
    }
}
