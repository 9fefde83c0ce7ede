package io.switchboard.routing;

/** How a Service came to answer on an address. */
public enum AddressKind {
    CLUSTER_IP(Scope.INTERNAL), EXTERNAL_IP(Scope.EXTERNAL), LOAD_BALANCER_IP(Scope.EXTERNAL), NODE_PORT(Scope.EXTERNAL);

    private final Scope scope;

    AddressKind(Scope scope) {
        this.scope = scope;
    }

    /** The traffic policy scope of this kind of address. */
    public Scope scope() {
        return scope;
    }
}
