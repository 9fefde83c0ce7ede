package io.switchboard.dataplane.http;

/**
 * The L7 protocols a Service port selects with the standard {@code appProtocol} field, and what
 * Switchboard speaks to endpoints for each. A port without one of these stays plain TCP.
 */
public enum HttpProtocol {
    /** {@code http}: HTTP/1.1 to endpoints; clients may use HTTP/1.1 or HTTP/2 with prior knowledge. */
    HTTP("http", false),
    /** {@code kubernetes.io/h2c}: HTTP/2 cleartext to endpoints. */
    H2C("kubernetes.io/h2c", true),
    /** {@code grpc}: HTTP/2 with gRPC's trailers and status to endpoints. */
    GRPC("grpc", true),
    /** {@code kubernetes.io/ws}: HTTP/1.1 with WebSocket upgrades tunnelled. */
    WS("kubernetes.io/ws", false);

    private final String appProtocol;
    private final boolean http2Upstream;

    HttpProtocol(String appProtocol, boolean http2Upstream) {
        this.appProtocol = appProtocol;
        this.http2Upstream = http2Upstream;
    }

    /** True when endpoints are spoken to in HTTP/2. */
    public boolean http2Upstream() {
        return http2Upstream;
    }

    /** The protocol an {@code appProtocol} value selects, or null for plain TCP. */
    public static HttpProtocol of(String appProtocol) {
        for (HttpProtocol p : values()) {
            if (p.appProtocol.equalsIgnoreCase(appProtocol)) {
                return p;
            }
        }
        return null;
    }
}
