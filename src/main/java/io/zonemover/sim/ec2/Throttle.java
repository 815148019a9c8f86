package io.zonemover.sim.ec2;

import java.util.List;
import java.util.function.LongSupplier;

/**
 * EC2's request throttling, as token buckets per account ("Request throttling for the Amazon EC2 API",
 * {@code ec2/latest/devguide/ec2-api-throttling}): mutating actions 50 tokens refilled at 5/s; non-mutating
 * (Describe) actions 100 tokens at 20/s (the page's DescribeHosts example); unfiltered and unpaginated
 * non-mutating actions 50 tokens at 10/s. The buckets refill in wall time and live in this process's memory
 * (not persisted with the world), as a real account's do not move with a simulated clock.
 */
final class Throttle {

    /** Parameters that make a Describe filtered or paginated (so it draws from the larger bucket). */
    private static final List<String> NARROWING = List.of("VolumeId.", "SnapshotId.", "Filter.", "ZoneName.",
            "MaxResults", "NextToken");

    private final TokenBucket mutating;
    private final TokenBucket describe;
    private final TokenBucket unfiltered;

    /** {@code wallNanos} is the wall clock the buckets refill by (tests can drive it). */
    Throttle(LongSupplier wallNanos) {
        this.mutating = new TokenBucket(50, 5, wallNanos);
        this.describe = new TokenBucket(100, 20, wallNanos);
        this.unfiltered = new TokenBucket(50, 10, wallNanos);
    }

    /** Takes a token for the call, or answers {@code RequestLimitExceeded} (HTTP 503) when its bucket is empty. */
    void admit(boolean mutatingCall, QueryParams p) {
        TokenBucket bucket = mutatingCall ? mutating : p.anyStartsWith(NARROWING) ? describe : unfiltered;
        if (!bucket.take()) {
            throw Ec2Error.requestLimitExceeded();
        }
    }

    /** A token bucket refilled continuously in wall time. */
    static final class TokenBucket {
        private final double capacity;
        private final double perSecond;
        private final LongSupplier nanos;
        private double tokens;
        private long last;

        TokenBucket(int capacity, int perSecond, LongSupplier nanos) {
            this.capacity = capacity;
            this.perSecond = perSecond;
            this.nanos = nanos;
            this.tokens = capacity;
            this.last = nanos.getAsLong();
        }

        synchronized boolean take() {
            long t = nanos.getAsLong();
            tokens = Math.min(capacity, tokens + (t - last) / 1e9 * perSecond);
            last = t;
            if (tokens >= 1) {
                tokens -= 1;
                return true;
            }
            return false;
        }
    }
}
