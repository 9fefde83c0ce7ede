package io.switchboard.routing;

/**
 * Told when passive health takes an endpoint out of rotation, so something can watch for it to
 * work again sooner than the hold-down ends (see {@link Backend#seenWorking()} and
 * {@link Backend#probeSucceeded()}). Called on the thread that saw the failure: an event loop.
 */
@FunctionalInterface
public interface HoldDownListener {

    /** Listens to nothing. */
    HoldDownListener NONE = (backend, reason) -> { };

    /** {@code backend} was just held down for {@code reason}. */
    void heldDown(Backend backend, Backend.DownReason reason);
}
