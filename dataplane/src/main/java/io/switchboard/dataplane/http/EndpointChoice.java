package io.switchboard.dataplane.http;

import io.netty.handler.codec.http.HttpRequest;
import io.switchboard.affinity.AffinityTable;
import io.switchboard.model.HttpOptions;
import io.switchboard.routing.Backend;
import io.switchboard.routing.BackendPool;
import io.switchboard.scheduler.PickContext;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The endpoints one request tries, in order: the one its sticky cookie names while that one is
 * available, else the Service's scheduler's pick (keyed by the request's hash key, if any), never an
 * endpoint already tried nor one at the Service's per-endpoint request limit.
 */
final class EndpointChoice {

    private final BackendPool pool;
    private final HttpOptions options;
    private final AffinityTable<Backend> affinity;
    private final PickContext pick;
    private final Backend preferred;
    private final List<Backend> tried = new ArrayList<>(2);
    private Backend sticky;

    EndpointChoice(BackendPool pool, HttpRequest req, InetSocketAddress client, io.switchboard.routing.VirtualAddress
            address, AffinityTable<Backend> affinity) {
        this.pool = pool;
        this.options = pool.options().http();
        this.affinity = affinity;
        this.pick = StickyChoice.withHashKey(PickContext.of(client.getAddress(), client.getPort(), address.address(),
                address.port()), req, options.hashKey());
        this.preferred = StickyChoice.preferred(req, options.stickyCookie(), pool);
    }

    /** The next endpoint to try, now counted as tried, or null when none is left. */
    Backend next() {
        Backend b = choose();
        if (b != null) {
            tried.add(b);
            // A client that came back to its endpoint keeps its cookie; one sent elsewhere gets a new one.
            if (!options.stickyCookie().isEmpty() && b != preferred) {
                sticky = b;
            }
        }
        return b;
    }

    /** How many endpoints were tried. */
    int tries() {
        return tried.size();
    }

    /** The endpoint a sticky cookie should name in the response, or null. */
    Backend sticky() {
        return sticky;
    }

    private Backend choose() {
        int limit = options.maxRequestsPerEndpoint();
        if (limit <= 0 && tried.isEmpty() && preferred == null) {
            // The usual first try: nothing to exclude, so no exclusion list is built.
            return pool.choose(pick, affinity);
        }
        List<Backend> excluded = new ArrayList<>(tried);
        if (limit > 0) {
            for (Backend b : pool.backends()) {
                if (b.inFlightRequests() >= limit) {
                    excluded.add(b);
                }
            }
        }
        if (preferred != null && pool.contains(preferred) && !excluded.contains(preferred) && preferred.weight() > 0
                && preferred.isAvailable()) {
            return preferred;
        }
        return pool.choose(pick.excluding(excluded), affinity);
    }
}
