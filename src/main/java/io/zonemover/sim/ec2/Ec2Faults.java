package io.zonemover.sim.ec2;

import java.util.Map;
import java.util.TreeMap;

/**
 * Injectable EC2 faults. Kept inside the {@link Ec2World} state (so they are persisted and every process
 * that opens the world sees them); counters are consumed by the calls they hit.
 */
public final class Ec2Faults {

    /** What a zone fault does to CreateVolume in that zone. */
    public enum ZoneFault {
        /** The call itself fails with {@code InsufficientVolumeCapacity} (HTTP 400). */
        REJECT,
        /** The call succeeds, but the volume goes {@code creating -> error}. */
        ERROR
    }

    /** The next N API calls (any action) fail with {@code RequestLimitExceeded} (HTTP 503). */
    public int throttleNextCalls;
    /** The next N API calls (any action) fail with {@code InternalError} (HTTP 500). */
    public int failNextCalls;
    /** This share (0..1) of API calls fail with {@code RequestLimitExceeded}, spread evenly over the calls. */
    public double throttleRate;
    /** Calls counted while {@link #throttleRate} is set: which ones it hits depends only on this count. */
    public long rateCalls;
    /** The next N snapshots requested end in {@code error} instead of {@code completed}; -1 means all. */
    public int failNextSnapshots;
    /** Zone name -> fault for CreateVolume there. */
    public Map<String, ZoneFault> createVolumeZoneFaults = new TreeMap<>();
    /**
     * For how long after CreateVolume DescribeVolumes does not know the new volume yet (eventual consistency,
     * external-snapshotter issue #695). World milliseconds; 0 disables.
     */
    public long describeLagMillis = Ec2World.DESCRIBE_LAG_MS;

    public Ec2Faults throttleNext(int calls) {
        this.throttleNextCalls = Math.max(0, calls);
        return this;
    }

    public Ec2Faults throttleRate(double rate) {
        this.throttleRate = Math.max(0, Math.min(1, rate));
        return this;
    }

    /** Counts a call; true when the throttle rate hits it (a low-discrepancy sequence: deterministic, even). */
    boolean rateHits() {
        if (throttleRate <= 0) {
            return false;
        }
        rateCalls++;
        double position = (rateCalls * 0.6180339887498949) % 1.0;
        return position < throttleRate;
    }

    public Ec2Faults failNext(int calls) {
        this.failNextCalls = Math.max(0, calls);
        return this;
    }

    /** -1: every snapshot from now on fails; 0: none. */
    public Ec2Faults failSnapshots(int next) {
        this.failNextSnapshots = next;
        return this;
    }

    /** {@code fault == null} clears the zone's fault. */
    public Ec2Faults zone(String zone, ZoneFault fault) {
        if (fault == null) {
            createVolumeZoneFaults.remove(zone);
        } else {
            createVolumeZoneFaults.put(zone, fault);
        }
        return this;
    }

    public Ec2Faults describeLag(long millis) {
        this.describeLagMillis = Math.max(0, millis);
        return this;
    }

    public Ec2Faults clear() {
        throttleNextCalls = 0;
        failNextCalls = 0;
        failNextSnapshots = 0;
        throttleRate = 0;
        createVolumeZoneFaults.clear();
        describeLagMillis = Ec2World.DESCRIBE_LAG_MS;
        return this;
    }

    /** True when the next API call would consume a fault (so even a Describe must be saved). */
    public boolean hasCallFaults() {
        return throttleNextCalls > 0 || failNextCalls > 0 || throttleRate > 0;
    }

    @Override
    public String toString() {
        return "throttleNext=" + throttleNextCalls + (throttleRate > 0 ? " throttleRate=" + throttleRate : "") + " failNext=" + failNextCalls + " failSnapshots="
                + failNextSnapshots + " zones=" + createVolumeZoneFaults + " describeLagMs=" + describeLagMillis;
    }
}
