package io.switchboard.model;

/**
 * EndpointSlice endpoint conditions. An unset {@code ready} means ready, an unset {@code serving}
 * follows {@code ready}, and an unset {@code terminating} means not terminating, as the API defines.
 */
public record EndpointConditions(boolean ready, boolean serving, boolean terminating) {

    /** A ready endpoint. */
    public static final EndpointConditions READY = new EndpointConditions(true, true, false);

    /** Resolves the API's optional booleans with their documented defaults. */
    public static EndpointConditions of(Boolean ready, Boolean serving, Boolean terminating) {
        boolean r = ready == null || ready;
        return new EndpointConditions(r, serving == null ? r : serving, terminating != null && terminating);
    }
}
