package io.switchboard.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.admin.AdminServer;
import io.switchboard.model.HostPort;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds a live Switchboard on the admin address before this one starts. With SO_REUSEPORT a second
 * instance would silently take a share of every Service's traffic, so one is refused unless this
 * start is the explicit takeover of a rolling update; then the predecessor is asked to hand over
 * the node-wide ports (admin, {@code /healthz}, health-check node ports), which it closes before it
 * answers, and keeps carrying traffic until it is told to drain.
 */
final class Takeover {

    private static final Logger LOG = LoggerFactory.getLogger(Takeover.class);
    /** The header a handover request must carry: a cross-site form cannot send it. */
    static final String SUCCESSOR_HEADER = AdminServer.SUCCESSOR_HEADER;

    private Takeover() {
    }

    /**
     * Whether anything accepts connections on {@code admin}: false only when it is refused. Asked
     * first with a plain connect because nearly every start finds nothing there, and building the
     * HTTP client initialises the JDK's default TLS context (cacerts, providers), a tenth of a
     * second of a start spent for nothing.
     */
    private static boolean listening(InetSocketAddress admin) {
        try (Socket probe = new Socket()) {
            probe.connect(admin, 2_000);
            return true;
        } catch (SocketTimeoutException slow) {
            // Something holds the address and does not accept in time: the HTTP request below says so.
            return true;
        } catch (IOException refused) {
            // Refused or unreachable: no Switchboard there (binding reports an address it cannot use).
            return false;
        }
    }

    /**
     * Returns when no Switchboard answers on {@code admin}, or when one did and handed over
     * ({@code takeover}); throws naming the other instance otherwise.
     */
    static void ensureAlone(InetSocketAddress admin, boolean takeover) throws IOException {
        if (admin.getPort() == 0) {
            return;
        }
        String base = "http://" + HostPort.of(admin);
        if (!listening(admin)) {
            return;
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        JsonNode other;
        try {
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/instance"))
                    .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                return;
            }
            other = AdminServer.JSON.readTree(r.body());
        } catch (ConnectException e) {
            return;
        } catch (HttpTimeoutException e) {
            throw new IOException("admin address " + base + " is taken by something that does not answer: "
                    + e.getMessage(), e);
        } catch (IOException e) {
            // Not HTTP, or not JSON: not a Switchboard; binding will say the address is taken.
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while looking for another Switchboard on " + base, e);
        }
        if (!other.path("switchboard").asBoolean(false)) {
            return;
        }
        String who = "pid " + other.path("pid").asText("?") + ", version " + other.path("version").asText("?")
                + ", started " + other.path("started").asText("?");
        if (!takeover) {
            throw new IOException("another Switchboard (" + who + ") is running with admin address " + base
                    + ": it would share every Service port with this one; stop it first, or start with --takeover"
                    + " to take over from it in a rolling update");
        }
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/handover"))
                            .header(SUCCESSOR_HEADER, Long.toString(ProcessHandle.current().pid()))
                            .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IOException("the Switchboard on " + base + " (" + who + ") refused to hand over: "
                        + r.statusCode() + " " + r.body().trim());
            }
            LOG.atInfo().addKeyValue("predecessor", who).addKeyValue("released", r.body().trim())
                    .log("taking over: the running Switchboard handed over its node ports and keeps serving until it drains");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while taking over from the Switchboard on " + base, e);
        }
    }
}
