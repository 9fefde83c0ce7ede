package io.switchboard.scheduler;

/** The hash functions the hashing schedulers share. */
final class Hashing {

    private Hashing() {
    }

    /** The kernel's {@code hash_32}: multiplicative hashing keeping the top {@code bits} bits. */
    static int hash32(int value, int bits) {
        return (value * 0x61C88647) >>> (32 - bits);
    }

    /** A keyed 64-bit mix (the murmur3 finalizer over value XOR key), standing in for hsiphash. */
    static long keyed(long value, long key) {
        long h = value ^ key;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    /** {@code keyed} reduced modulo {@code size}, non-negative. */
    static int keyedMod(long value, long key, int size) {
        return (int) Long.remainderUnsigned(keyed(value, key), size);
    }
}
