package io.switchboard.scheduler;

/**
 * Picks the destination for a new connection or flow. One instance serves one fixed list of
 * destinations (rebuilt when the list changes) and may be called from several event loops at once;
 * implementations keep their state in atomics and never block.
 *
 * @param <D> the destination type
 */
public interface Scheduler<D extends Destination> {

    /** The destination for this connection, or null when none may take it. */
    D pick(PickContext context);

    /** Which algorithm this is. */
    Algorithm algorithm();
}
