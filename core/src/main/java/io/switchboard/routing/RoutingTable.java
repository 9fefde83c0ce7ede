package io.switchboard.routing;

import io.switchboard.model.Protocol;
import io.switchboard.model.ServiceId;
import java.net.InetAddress;
import java.util.Collections;
import java.util.Map;

/**
 * An immutable routing table: Service addresses to virtual services, a hash lookup however many
 * Services there are. The data plane reads the current table through a volatile reference; the
 * sync loop publishes a new one, sharing every unchanged entry with the old.
 */
public final class RoutingTable {

    /** A table with nothing in it. */
    public static final RoutingTable EMPTY = new RoutingTable(0, Map.of(), Map.of());

    private final long version;
    private final Map<VirtualAddress, VirtualService> byAddress;
    private final Map<ServiceId, ServiceRoutes> byService;

    RoutingTable(long version, Map<VirtualAddress, VirtualService> byAddress, Map<ServiceId, ServiceRoutes> byService) {
        this.version = version;
        this.byAddress = Collections.unmodifiableMap(byAddress);
        this.byService = Collections.unmodifiableMap(byService);
    }

    /** The virtual service on an address, or null when the address serves nothing. */
    public VirtualService lookup(InetAddress address, int port, Protocol protocol) {
        return byAddress.get(new VirtualAddress(address, port, protocol));
    }

    /** The virtual service on an address, or null. */
    public VirtualService lookup(VirtualAddress address) {
        return byAddress.get(address);
    }

    /** Every served address. */
    public Map<VirtualAddress, VirtualService> virtualServices() {
        return byAddress;
    }

    /** Routes by Service. */
    public Map<ServiceId, ServiceRoutes> services() {
        return byService;
    }

    /** Increases with every published change. */
    public long version() {
        return version;
    }
}
