package io.switchboard.routing;

import io.switchboard.affinity.AffinityTable;
import io.switchboard.model.ServiceOptions;
import io.switchboard.model.SessionAffinity;
import io.switchboard.scheduler.PickContext;
import io.switchboard.scheduler.Scheduler;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * The usable endpoints of one Service port in one scope, with the scheduler that picks among them.
 * Immutable: a change of endpoints builds a new pool (reusing the {@link Backend}s), so an event
 * loop holding the old pool keeps a consistent view.
 */
public final class BackendPool {

    private final PoolId id;
    private final List<Backend> backends;
    private final Set<Backend> members;
    private final Scheduler<Backend> scheduler;
    private final ServiceOptions options;
    private final SessionAffinity affinity;
    private final ServicePortStats stats;
    private final boolean terminatingFallback;

    BackendPool(PoolId id, List<Backend> backends, Scheduler<Backend> scheduler, ServiceOptions options,
                SessionAffinity affinity, ServicePortStats stats, boolean terminatingFallback) {
        this.id = id;
        this.backends = List.copyOf(backends);
        Set<Backend> set = Collections.newSetFromMap(new IdentityHashMap<>());
        set.addAll(this.backends);
        this.members = set;
        this.scheduler = scheduler;
        this.options = options;
        this.affinity = affinity;
        this.stats = stats;
        this.terminatingFallback = terminatingFallback;
    }

    /**
     * Chooses the endpoint for a new connection: the client's remembered endpoint when affinity is on
     * and that endpoint is still a usable member; otherwise the scheduler's pick, ignoring health
     * marks only when every weighted endpoint is held down (better to try than to refuse). Returns
     * null when nothing may take the connection.
     */
    public Backend choose(PickContext context, AffinityTable<Backend> affinityTable) {
        AffinityTable.Key key = null;
        if (affinity.clientIp()) {
            key = new AffinityTable.Key(id, context.clientAddress());
            Backend remembered = affinityTable.lookup(key);
            if (remembered != null) {
                if (members.contains(remembered) && !remembered.retired() && remembered.weight() > 0
                        && context.usable(remembered)) {
                    return remembered;
                }
                affinityTable.forget(key);
            }
        }
        Backend chosen = scheduler.pick(context);
        if (chosen == null && !context.ignoreHealth() && allHeldDown(context)) {
            chosen = scheduler.pick(context.ignoringHealth());
        }
        if (chosen != null && key != null) {
            affinityTable.remember(key, chosen, affinity.timeout().toNanos());
        }
        return chosen;
    }

    private boolean allHeldDown(PickContext context) {
        boolean anyWeighted = false;
        for (Backend b : backends) {
            if (b.weight() <= 0 || context.excludes(b)) {
                continue;
            }
            anyWeighted = true;
            if (b.isAvailable()) {
                return false;
            }
        }
        return anyWeighted;
    }

    /** Identity of this pool. */
    public PoolId id() {
        return id;
    }

    /** The endpoints new connections may go to, in scheduling order. */
    public List<Backend> backends() {
        return backends;
    }

    /** True when {@code b} is one of this pool's endpoints. */
    public boolean contains(Backend b) {
        return members.contains(b);
    }

    /** The scheduler. */
    public Scheduler<Backend> scheduler() {
        return scheduler;
    }

    /** The Service's options. */
    public ServiceOptions options() {
        return options;
    }

    /** The Service's session affinity. */
    public SessionAffinity affinity() {
        return affinity;
    }

    /** Counters of the Service port. */
    public ServicePortStats stats() {
        return stats;
    }

    /** True when no endpoint is ready and serving-but-terminating ones stand in. */
    public boolean terminatingFallback() {
        return terminatingFallback;
    }
}
