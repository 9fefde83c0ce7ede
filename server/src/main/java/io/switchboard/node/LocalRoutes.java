package io.switchboard.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.kubernetes.IpLiteral;
import io.switchboard.model.Cidr;
import io.switchboard.model.Service;
import io.switchboard.routing.RoutingTable;
import io.switchboard.routing.ServiceRoutes;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes Service addresses local on this node, so that packets to them, from pods and from the node
 * itself, are delivered to Switchboard's listeners: one {@code local} route in the kernel's
 * {@code local} table per service CIDR, and optionally per served address (a /32 or /128). IPVS mode
 * adds each address to a {@code kube-ipvs0} dummy device instead; a {@code local} route needs no
 * device (this project's test kernels have no dummy driver) and a whole CIDR costs one route.
 * Listeners bind with {@code IP_FREEBIND}, so they bind before the route exists.
 *
 * <p>Every route it adds carries route protocol {@value #PROTOCOL}, which is how it knows its own:
 * it lists, adds and deletes with that protocol only, so a route it did not make (a node address,
 * another tool's route) is never touched; an address that is already local that way is left alone.
 * Each sync adds what is missing; once the sources are read in full it also removes routes of its
 * protocol that nothing serves, which reconciles what a crashed or older instance left. It checks
 * the kernel again when the wanted set changes, and at most every {@value #RECHECK_SECONDS} s
 * otherwise. On a clean stop it removes its routes, unless a successor took over: the successor
 * serves the same addresses and reconciles them itself.
 */
public final class LocalRoutes {

    private static final Logger LOG = LoggerFactory.getLogger(LocalRoutes.class);
    /** The route protocol marking Switchboard's routes (unassigned in iproute2's {@code rt_protos}). */
    public static final int PROTOCOL = 73;
    static final int RECHECK_SECONDS = 30;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Cidr> cidrs;
    private final boolean perAddress;
    private final List<String> ip;
    private Set<Cidr> lastWanted = Set.of();
    private long lastCheck;
    private boolean cleaned;
    /** Addresses found local by a route not ours, said once each. */
    private final Set<Cidr> foreign = new LinkedHashSet<>();
    private String lastError;

    /**
     * @param cidrs      blocks made local whatever is served
     * @param perAddress also each cluster, external and load-balancer IP served
     * @param ip         the {@code ip} command (tests prefix {@code ip netns exec NS})
     */
    public LocalRoutes(List<Cidr> cidrs, boolean perAddress, List<String> ip) {
        this.cidrs = List.copyOf(cidrs);
        this.perAddress = perAddress;
        this.ip = List.copyOf(ip);
        if (this.ip.isEmpty()) {
            throw new IllegalArgumentException("no ip command");
        }
    }

    /** Routes on this node with the {@code ip} of the PATH. */
    public LocalRoutes(List<Cidr> cidrs, boolean perAddress) {
        this(cidrs, perAddress, List.of("ip"));
    }

    /** The blocks that should be local for {@code table}. */
    Set<Cidr> wanted(RoutingTable table) {
        Set<Cidr> out = new LinkedHashSet<>(cidrs);
        if (perAddress) {
            for (ServiceRoutes routes : table.services().values()) {
                Service s = routes.service();
                for (List<InetAddress> list : List.of(s.clusterIps(), s.externalIps(), s.loadBalancerIps())) {
                    for (InetAddress a : list) {
                        if (!a.isLoopbackAddress() && !a.isAnyLocalAddress()
                                && cidrs.stream().noneMatch(c -> c.contains(a))) {
                            out.add(Cidr.host(a));
                        }
                    }
                }
            }
        }
        return out;
    }

    /**
     * Brings the kernel's routes in line with {@code table}; removes stale ones only when
     * {@code complete} (every source read in full). On the sync thread.
     */
    public void sync(RoutingTable table, boolean complete) {
        apply(wanted(table), complete);
    }

    /** Brings the kernel's routes in line with {@code wanted}; see {@link #sync}. */
    synchronized void apply(Set<Cidr> wanted, boolean complete) {
        long now = System.nanoTime();
        if (wanted.equals(lastWanted) && (cleaned || !complete)
                && now - lastCheck < TimeUnit.SECONDS.toNanos(RECHECK_SECONDS)) {
            return;
        }
        try {
            Set<Cidr> owned = owned();
            int added = 0;
            int removed = 0;
            for (Cidr c : wanted) {
                if (!owned.contains(c) && add(c)) {
                    added++;
                }
            }
            if (complete) {
                for (Cidr c : owned) {
                    if (!wanted.contains(c)) {
                        delete(c);
                        removed++;
                    }
                }
                cleaned = true;
            }
            lastWanted = wanted;
            lastCheck = now;
            lastError = null;
            if (added > 0 || removed > 0) {
                LOG.atInfo().addKeyValue("added", added).addKeyValue("removed", removed)
                        .addKeyValue("routes", wanted.size()).addKeyValue("protocol", PROTOCOL)
                        .log("local routes for Service addresses reconciled");
            }
        } catch (IOException e) {
            // Retried at the next sync; said once per distinct failure.
            if (!e.getMessage().equals(lastError)) {
                LOG.atError().addKeyValue("cause", e.getMessage())
                        .log("cannot make Service addresses local; retried at every sync");
                lastError = e.getMessage();
            }
            lastWanted = Set.of();
        }
    }

    /** Removes every route of Switchboard's protocol (a clean stop without a successor). */
    public synchronized void removeAll() {
        try {
            Set<Cidr> owned = owned();
            for (Cidr c : owned) {
                delete(c);
            }
            LOG.atInfo().addKeyValue("removed", owned.size()).log("local routes for Service addresses removed");
        } catch (IOException e) {
            LOG.atError().addKeyValue("cause", e.getMessage())
                    .log("cannot remove the local routes; the next start reconciles them");
        }
    }

    /** The routes of Switchboard's protocol in the local table, both families. */
    Set<Cidr> owned() throws IOException {
        Set<Cidr> out = new LinkedHashSet<>();
        for (String family : List.of("-4", "-6")) {
            String json = run(family, "-j", "route", "show", "table", "local", "proto", Integer.toString(PROTOCOL));
            JsonNode routes = JSON.readTree(json.isBlank() ? "[]" : json);
            for (JsonNode r : routes) {
                String dst = r.path("dst").asText("");
                try {
                    out.add(IpLiteral.cidr(dst));
                } catch (IllegalArgumentException e) {
                    throw new IOException("ip listed a route whose destination is not a CIDR: " + r, e);
                }
            }
        }
        return out;
    }

    private boolean add(Cidr c) throws IOException {
        try {
            run(c.ipv6() ? "-6" : "-4", "route", "add", "local", c.toString(), "dev", "lo", "table", "local",
                    "proto", Integer.toString(PROTOCOL));
            return true;
        } catch (IOException e) {
            if (e.getMessage().contains("File exists")) {
                if (foreign.add(c)) {
                    LOG.atInfo().addKeyValue("address", c)
                            .log("already local by a route Switchboard did not make; left as it is");
                }
                return false;
            }
            throw e;
        }
    }

    private void delete(Cidr c) throws IOException {
        run(c.ipv6() ? "-6" : "-4", "route", "del", "local", c.toString(), "dev", "lo", "table", "local",
                "proto", Integer.toString(PROTOCOL));
    }

    private String run(String... args) throws IOException {
        List<String> command = new ArrayList<>(ip);
        command.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException(String.join(" ", command) + ": " + e.getMessage()
                    + " (iproute2's ip is needed to make Service addresses local)", e);
        }
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + ": no answer in 10 s");
            }
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + ": " + out.trim());
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + ": interrupted", e);
        }
    }

    @Override
    public String toString() {
        return "LocalRoutes" + Objects.toString(cidrs) + (perAddress ? "+addresses" : "");
    }
}
