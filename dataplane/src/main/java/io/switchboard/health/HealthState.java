package io.switchboard.health;

/**
 * The rise/fall rule of active health checks, as HAProxy applies it: an endpoint starts up; once up,
 * {@code fall} consecutive failed checks take it down; once down, {@code rise} consecutive successes
 * bring it back. Pure and single-threaded.
 */
public final class HealthState {

    private final int rise;
    private final int fall;
    private boolean up = true;
    private int streak;

    /** A state that starts up. */
    public HealthState(int rise, int fall) {
        if (rise < 1 || fall < 1) {
            throw new IllegalArgumentException("rise and fall must be at least 1");
        }
        this.rise = rise;
        this.fall = fall;
    }

    /** Records one check; returns true when this check changed the verdict. */
    public boolean record(boolean success) {
        if (success == up) {
            streak = 0;
            return false;
        }
        if (++streak >= (up ? fall : rise)) {
            up = !up;
            streak = 0;
            return true;
        }
        return false;
    }

    /** The verdict. */
    public boolean up() {
        return up;
    }
}
