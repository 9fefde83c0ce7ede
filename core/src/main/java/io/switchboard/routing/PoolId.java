package io.switchboard.routing;

import io.switchboard.model.ServicePortName;

/** A Service port in one traffic-policy scope: the unit that owns a scheduler and affinity state. */
public record PoolId(ServicePortName servicePort, Scope scope) {

    @Override
    public String toString() {
        return servicePort + "[" + scope.name().toLowerCase(java.util.Locale.ROOT) + "]";
    }
}
