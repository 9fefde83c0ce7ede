package io.switchboard.dataplane;

/**
 * The user event fired through the pipeline of every open client connection when the proxy starts
 * draining: HTTP/1.1 handlers answer what is in flight with {@code Connection: close} and close idle
 * connections soon, HTTP/2 handlers send GOAWAY; L4 relays ignore it and carry on until they end.
 */
public enum DrainEvent {
    /** The one event. */
    INSTANCE
}
