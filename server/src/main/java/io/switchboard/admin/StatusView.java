package io.switchboard.admin;

import io.switchboard.store.ValidationError;
import java.util.List;

/**
 * The state of the instance beside its routing table, as {@code GET /api/v1/status} shows it for the
 * dashboard: readiness, the sources, the last sync, configuration errors and address conflicts with
 * their origin, fleet members, and whether admin actions are on.
 *
 * @param version        this instance's version
 * @param pid            its process id
 * @param started        when it started (ISO-8601)
 * @param ready          whether it is ready
 * @param readyDetail    why not, or what a ready source cannot follow
 * @param actions        whether {@code --admin-actions} is on
 * @param syncs          syncs run so far
 * @param lastSync       when the last sync completed (ISO-8601), or null
 * @param lastSyncMillis how long the last sync took
 * @param pendingChanges objects recorded and not yet synced
 * @param sources        each source
 * @param errors         configuration errors
 * @param conflicts      address conflicts
 * @param notes          valid objects that are ignored, and why
 * @param fleet          fleet members (empty without etcd)
 */
public record StatusView(String version, long pid, String started, boolean ready, String readyDetail, boolean actions,
                         long syncs, String lastSync, double lastSyncMillis, int pendingChanges,
                         List<ProxyState.SourceState> sources, List<ErrorView> errors,
                         List<RoutingView.ConflictView> conflicts, List<String> notes,
                         List<ProxyState.FleetMemberState> fleet) {

    /**
     * One configuration error.
     *
     * @param origin  where the object came from (file and line, API object, etcd key), or empty
     * @param object  the object, or empty
     * @param field   the field path, or empty
     * @param message what is wrong
     * @param text    all of it in one line, as logged
     */
    public record ErrorView(String origin, String object, String field, String message, String text) {
    }

    /** The status of a running instance. */
    public static StatusView of(ProxyState sb, boolean actions) {
        ProxyState.Instance i = sb.instance();
        ProxyState.Readiness r = sb.readiness();
        SyncStatus s = sb.status();
        java.time.Instant last = sb.lastSync();
        return new StatusView(i.version(), i.pid(), i.started().toString(), r.ready(), r.detail(), actions, s.syncs(),
                last == null ? null : last.toString(), s.lastDurationNanos() / 1e6, sb.pendingChanges(), sb.sources(),
                s.errors().stream().map(StatusView::error).toList(),
                s.conflicts().stream().map(c -> new RoutingView.ConflictView(c.address(), c.holder().toString(),
                        c.refused().toString(), c.field(), c.origin().toString(), c.rule())).toList(),
                s.notes(), sb.fleet());
    }

    private static ErrorView error(ValidationError e) {
        return new ErrorView(e.origin() == null ? "" : e.origin().toString(),
                e.object() == null ? "" : e.object().toString(), e.field(), e.message(), e.toString());
    }
}
