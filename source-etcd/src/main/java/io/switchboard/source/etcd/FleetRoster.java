package io.switchboard.source.etcd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * The fleet's members as the etcd source's watch sees them ({@code PREFIX fleet/members/...}, the
 * keys {@code switchboard fleet list} reads), kept for the admin view without asking etcd again: each
 * member's node, admin address, version, pid, applied config revision and last sync, and how far it
 * is behind the newest revision this instance or any member knows.
 */
public final class FleetRoster implements EtcdSource.FleetListener {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One member.
     *
     * @param id       its key under the members prefix ({@code NODE@ADMIN})
     * @param node     its node name
     * @param admin    its admin address
     * @param version  its version
     * @param pid      its process id
     * @param revision the config revision it applied
     * @param lastSync when it last synced (ISO-8601), or empty
     * @param behind   revisions it is behind the newest known one (0 when caught up)
     */
    public record Member(String id, String node, String admin, String version, long pid, long revision,
                         String lastSync, long behind) {
    }

    private final String members;
    private final LongSupplier configRevision;
    /** Raw values by id. Guarded by this. */
    private final Map<String, String> values = new TreeMap<>();

    /**
     * A roster of the members under {@code prefix}; {@code configRevision} is the newest config
     * revision this instance saw (the etcd source's).
     */
    public FleetRoster(String prefix, LongSupplier configRevision) {
        this.members = Objects.requireNonNull(prefix, "prefix") + EtcdSettings.MEMBERS;
        this.configRevision = Objects.requireNonNull(configRevision, "configRevision");
    }

    /** A roster fed by {@code source}'s watch (call before the source starts). */
    public static FleetRoster of(EtcdSettings settings, EtcdSource source) {
        FleetRoster roster = new FleetRoster(settings.prefix(), source::configRevision);
        source.fleetListener(roster);
        return roster;
    }

    @Override
    public synchronized void put(String key, String value) {
        if (key.startsWith(members)) {
            values.put(key.substring(members.length()), value);
        }
    }

    @Override
    public synchronized void deleted(String key) {
        if (key.startsWith(members)) {
            values.remove(key.substring(members.length()));
        }
    }

    @Override
    public synchronized void listed(Map<String, String> all) {
        values.clear();
        all.forEach(this::put);
    }

    /** The members now, by id; a value that does not parse is listed with what its key says. */
    public List<Member> members() {
        Map<String, String> copy;
        synchronized (this) {
            copy = new TreeMap<>(values);
        }
        List<Member> parsed = new ArrayList<>();
        long latest = configRevision.getAsLong();
        for (Map.Entry<String, String> e : copy.entrySet()) {
            JsonNode v;
            try {
                v = JSON.readTree(e.getValue());
            } catch (IOException ex) {
                v = JSON.createObjectNode();
            }
            JsonNode sync = v.path("lastSync");
            parsed.add(new Member(e.getKey(), v.path("node").asText(""), v.path("admin").asText(""),
                    v.path("version").asText(""), v.path("pid").asLong(), v.path("revision").asLong(),
                    sync.isTextual() ? sync.asText() : "", 0));
            latest = Math.max(latest, v.path("revision").asLong());
        }
        List<Member> out = new ArrayList<>(parsed.size());
        for (Member m : parsed) {
            out.add(new Member(m.id(), m.node(), m.admin(), m.version(), m.pid(), m.revision(), m.lastSync(),
                    Math.max(0, latest - m.revision())));
        }
        return out;
    }
}
