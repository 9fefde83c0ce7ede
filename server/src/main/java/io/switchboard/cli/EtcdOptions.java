package io.switchboard.cli;

import io.switchboard.source.etcd.EtcdSettings;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** etcd connection options, as etcdctl names them, shared by {@code run} and the {@code etcd} commands. */
final class EtcdOptions {

    @Option(names = "--etcd", paramLabel = "URL[,URL...]", split = ",",
            description = "etcd endpoints (http:// or https://); with run, manifests are read from etcd too.")
    List<String> endpoints;

    @Option(names = "--etcd-prefix", defaultValue = EtcdSettings.DEFAULT_PREFIX,
            description = "Key prefix of the manifests (default: ${DEFAULT-VALUE}); PREFIX" + EtcdSettings.FLEET
                    + " is where fleet members register.")
    String prefix;

    @Option(names = "--etcd-cacert", paramLabel = "PEM", description = "CA bundle that signs etcd's server certificates.")
    Path caCert;

    @Option(names = "--etcd-cert", paramLabel = "PEM", description = "Client certificate for mutual TLS.")
    Path cert;

    @Option(names = "--etcd-key", paramLabel = "PEM", description = "Private key (PKCS#8) of --etcd-cert.")
    Path key;

    @Option(names = "--etcd-user", paramLabel = "USER[:PASSWORD]",
            description = "etcd user; the password after a colon, or from --etcd-password-file.")
    String user;

    @Option(names = "--etcd-password-file", paramLabel = "PATH",
            description = "File whose first line is the etcd user's password (kept out of the process list).")
    Path passwordFile;

    @Option(names = "--fleet-ttl", defaultValue = "10", paramLabel = "SECONDS",
            description = "With run: how long this instance's fleet entry outlives it (its lease TTL;"
                    + " default: ${DEFAULT-VALUE}).")
    long fleetTtl;

    @Option(names = "--shared-load-interval", defaultValue = "500ms", converter = ProxyOptions.DurationConverter.class,
            description = "With run: how often this instance publishes the load of shared-load Services"
                    + " (default: ${DEFAULT-VALUE}).")
    java.time.Duration sharedLoadInterval;

    /** True when etcd endpoints were given. */
    boolean given() {
        return endpoints != null && !endpoints.isEmpty();
    }

    /** The settings, or a parameter error naming the flag that is wrong. */
    EtcdSettings settings(CommandLine cmd) {
        String name = user;
        String password = null;
        if (name != null && name.contains(":")) {
            password = name.substring(name.indexOf(':') + 1);
            name = name.substring(0, name.indexOf(':'));
        }
        try {
            if (passwordFile != null) {
                List<String> lines = java.nio.file.Files.readAllLines(passwordFile);
                password = lines.isEmpty() ? "" : lines.get(0);
            }
            return new EtcdSettings(endpoints.stream().map(String::trim).toList(), prefix, caCert, cert, key, name,
                    password, fleetTtl, sharedLoadInterval.toMillis());
        } catch (java.io.IOException e) {
            throw new CommandLine.ParameterException(cmd, "--etcd-password-file: cannot read " + passwordFile + ": "
                    + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cmd, e.getMessage());
        }
    }
}
