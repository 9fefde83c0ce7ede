package io.switchboard.node;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code net.ipv4.tcp_migrate_req} (Linux 5.14+): when a listener in an SO_REUSEPORT group closes,
 * the connections waiting in its accept queue move to another listener of the group instead of
 * being reset. A draining instance closes its listeners while its successor's stay open, so this is
 * what makes that close cost no connection. It is per network namespace (the node's, in a
 * DaemonSet with the host network), and kube-proxy likewise sets the sysctls it relies on.
 */
public final class AcceptQueueMigration {

    private static final Logger LOG = LoggerFactory.getLogger(AcceptQueueMigration.class);
    static final Path SYSCTL = Path.of("/proc/sys/net/ipv4/tcp_migrate_req");

    private AcceptQueueMigration() {
    }

    /** Turns it on at {@code sysctl}; true when it is on afterwards. Says why when it cannot. */
    public static boolean enable(Path sysctl) {
        try {
            if (Files.readString(sysctl, StandardCharsets.US_ASCII).trim().equals("1")) {
                return true;
            }
            Files.writeString(sysctl, "1\n", StandardCharsets.US_ASCII);
            LOG.atInfo().addKeyValue("sysctl", "net.ipv4.tcp_migrate_req").addKeyValue("value", 1)
                    .log("set, so that connections queued on a closing listener move to its successor");
            return true;
        } catch (NoSuchFileException e) {
            LOG.atWarn().addKeyValue("sysctl", "net.ipv4.tcp_migrate_req")
                    .log("not in this kernel (5.14 and later have it): a rolling update may reset the few"
                            + " connections queued on the old instance's listeners as it closes them");
        } catch (IOException | SecurityException e) {
            LOG.atWarn().addKeyValue("sysctl", "net.ipv4.tcp_migrate_req").addKeyValue("cause", e.toString())
                    .log("cannot set it (needs CAP_NET_ADMIN and a writable /proc/sys): a rolling update may reset"
                            + " the few connections queued on the old instance's listeners as it closes them");
        }
        return false;
    }

    /** Turns it on in this process's network namespace. */
    public static boolean enable() {
        return enable(SYSCTL);
    }
}
