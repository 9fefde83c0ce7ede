package io.switchboard.source.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * How to reach etcd and where the manifests are: endpoints, key prefix, and TLS and authentication
 * as etcdctl takes them ({@code --cacert}, {@code --cert}, {@code --key}, {@code --user}).
 *
 * @param endpoints URLs such as {@code http://127.0.0.1:2379} or {@code https://etcd-0:2379}
 * @param prefix    every key under it holds a manifest (default {@code /switchboard/})
 * @param caCert    CA bundle that signs the servers' certificates, or null
 * @param cert      client certificate for mutual TLS, or null
 * @param key       its private key (PKCS#8 PEM), or null
 * @param user      user name for etcd's authentication, or null
 * @param password  that user's password, or null
 * @param fleetTtl  seconds a {@code run} instance's fleet entry outlives it (its lease TTL)
 * @param sharedLoadInterval milliseconds between publications of shared load
 */
public record EtcdSettings(List<String> endpoints, String prefix, Path caCert, Path cert, Path key, String user,
                           String password, long fleetTtl, long sharedLoadInterval) {

    /** The default interval between shared-load publications, in milliseconds. */
    public static final long DEFAULT_SHARED_LOAD_INTERVAL = 500;

    /** The default fleet lease TTL, in seconds. */
    public static final long DEFAULT_FLEET_TTL = 10;

    /** The default key prefix. */
    public static final String DEFAULT_PREFIX = "/switchboard/";
    /** Under the prefix, the fleet's own keys: not manifests. */
    public static final String FLEET = "fleet/";
    /** Under the prefix, where members register ({@code fleet/members/NODE@ADMIN}). */
    public static final String MEMBERS = FLEET + "members/";
    /** Under the prefix, where members publish shared load ({@code fleet/load/NODE@ADMIN/NS/NAME/PORT}). */
    public static final String LOAD = FLEET + "load/";

    public EtcdSettings {
        endpoints = List.copyOf(endpoints);
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("--etcd: at least one endpoint URL is needed");
        }
        for (String e : endpoints) {
            if (!e.startsWith("http://") && !e.startsWith("https://")) {
                throw new IllegalArgumentException("--etcd: \"" + e + "\" is not an http:// or https:// URL");
            }
        }
        Objects.requireNonNull(prefix, "prefix");
        if (prefix.isEmpty()) {
            throw new IllegalArgumentException("--etcd-prefix: must not be empty");
        }
        if ((cert == null) != (key == null)) {
            throw new IllegalArgumentException("--etcd-cert and --etcd-key go together");
        }
        if ((user == null) != (password == null)) {
            throw new IllegalArgumentException("--etcd-user needs a password (USER:PASSWORD or --etcd-password-file)");
        }
        if (sharedLoadInterval < 50) {
            throw new IllegalArgumentException("--shared-load-interval: at least 50ms, got " + sharedLoadInterval + "ms");
        }
        if (fleetTtl < 2) {
            throw new IllegalArgumentException("--fleet-ttl: at least 2 seconds, got " + fleetTtl);
        }
    }

    /** The same with another fleet TTL and shared-load interval. */
    public EtcdSettings withFleet(long ttl, long intervalMillis) {
        return new EtcdSettings(endpoints, prefix, caCert, cert, key, user, password, ttl, intervalMillis);
    }

    /** Plain endpoints under {@code prefix}. */
    public static EtcdSettings plain(List<String> endpoints, String prefix) {
        return new EtcdSettings(endpoints, prefix, null, null, null, null, null, DEFAULT_FLEET_TTL,
                DEFAULT_SHARED_LOAD_INTERVAL);
    }

    /** The prefix as etcd bytes. */
    public ByteSequence prefixBytes() {
        return ByteSequence.from(prefix, StandardCharsets.UTF_8);
    }

    /** A client for these settings; the caller closes it. */
    public Client client() {
        ClientBuilder b = Client.builder().endpoints(endpoints.toArray(String[]::new));
        if (user != null) {
            b.user(ByteSequence.from(user, StandardCharsets.UTF_8)).password(ByteSequence.from(password,
                    StandardCharsets.UTF_8));
        }
        if (caCert != null || cert != null) {
            try {
                var ssl = GrpcSslContexts.forClient();
                if (caCert != null) {
                    ssl.trustManager(caCert.toFile());
                }
                if (cert != null) {
                    ssl.keyManager(cert.toFile(), key.toFile());
                }
                SslContext context = ssl.build();
                b.sslContext(context);
            } catch (IOException e) {
                throw new UncheckedIOException("etcd TLS: " + e.getMessage(), e);
            }
        }
        return b.build();
    }
}
