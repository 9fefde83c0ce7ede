package io.switchboard.store;

/**
 * A place objects come from (a manifest directory, the Kubernetes API, etcd). A source only records
 * what it reads into the {@link ObjectStore} and says that something changed; the one sync loop
 * checks the store out and applies it.
 */
public interface Source extends AutoCloseable {

    /**
     * What a source reports about itself for readiness and the admin view.
     *
     * @param ready    it has recorded a complete first view
     * @param degraded it cannot follow changes right now (the last known state keeps serving)
     * @param detail   what it is doing, for people
     */
    record Status(boolean ready, boolean degraded, String detail) {
    }

    /** A short name for logs and the admin view ({@code file}, {@code kubernetes}, {@code etcd}). */
    String name();

    /** Starts reading; {@code onChange} asks the sync loop to run and may be called from any thread. */
    void start(Runnable onChange) throws Exception;

    /**
     * Called by the sync loop before each checkout. A polling source (files) reads here; a watching
     * source has already recorded its events and does nothing.
     */
    default void beforeSync() {
    }

    /** Called by the sync loop once the checkout it prepared for is applied (latency metrics). */
    default void synced() {
    }

    /** Whether the source has recorded a complete first view, and what it is doing. */
    Status status();

    @Override
    void close();
}
