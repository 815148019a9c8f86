package io.zonemover.sim.ec2;

import io.zonemover.sim.ec2.Ec2State.Snapshot;
import io.zonemover.sim.ec2.Ec2State.Volume;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code sim show} prints of the EC2 half: every volume and snapshot with its content fingerprint and
 * write count. Its keys are a contract (DESIGN.md "The simulated world"): add, never rename or reorder.
 */
final class Ec2View {

    private Ec2View() {
    }

    static Map<String, Object> show(Ec2State s, long now) {
        List<Object> vols = new ArrayList<>();
        for (Volume v : s.volumes.values()) {
            vols.add(volume(v, now));
        }
        List<Object> snaps = new ArrayList<>();
        for (Snapshot sn : s.snapshots.values()) {
            snaps.add(snapshot(sn, now));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("volumes", vols);
        out.put("snapshots", snaps);
        out.put("ec2Faults", s.faults.toString());
        if (s.mibPerWrite != Ec2World.MIB_PER_WRITE) {
            // Only when a scenario chose another write rate: absent, it is the model's 1 MiB/s.
            out.put("writeMiBPerSecond", s.mibPerWrite * Ec2World.WRITES_PER_SEC);
        }
        return out;
    }

    private static Map<String, Object> volume(Volume v, long now) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", v.id);
        m.put("zone", v.zone);
        m.put("state", v.state);
        m.put("sizeGiB", v.sizeGiB);
        m.put("type", v.type);
        m.put("iops", v.iops);
        m.put("throughput", v.throughput);
        m.put("encrypted", v.encrypted);
        m.put("kmsKeyId", v.kmsKeyId);
        m.put("snapshotId", v.snapshotId);
        m.put("fingerprint", Content.fingerprint(v, now));
        m.put("writes", Content.writes(v, now));
        m.put("writing", v.writing);
        m.put("tags", new LinkedHashMap<>(v.tags));
        List<Object> atts = new ArrayList<>();
        if (v.attachment != null) {
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("instanceId", v.attachment.instanceId);
            a.put("device", v.attachment.device);
            a.put("state", v.attachment.state);
            a.put("attachTime", Instant.ofEpochMilli(v.attachment.attachTime).toString());
            atts.add(a);
        }
        m.put("attachments", atts);
        m.put("createTime", Instant.ofEpochMilli(v.createTime).toString());
        if (v.initializedAt > 0) {
            // A restored volume: when it reached full speed (its blocks all loaded), and how.
            m.put("initialization", v.initializationRate != null ? "provisioned-rate " + v.initializationRate
                    + " MiB/s" : v.fastRestored ? "fast snapshot restore" : "default");
            m.put("initializedAt", Instant.ofEpochMilli(v.initializedAt).toString());
            m.put("initializationProgress", Initialization.progress(v, now));
        }
        return m;
    }

    private static Map<String, Object> snapshot(Snapshot sn, long now) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", sn.id);
        m.put("volumeId", sn.volumeId);
        m.put("state", sn.state);
        m.put("progress", Snapshots.progress(sn, now));
        m.put("sizeGiB", sn.sizeGiB);
        m.put("fingerprint", sn.fingerprint);
        m.put("writes", sn.writes);
        m.put("tags", new LinkedHashMap<>(sn.tags));
        m.put("startTime", Instant.ofEpochMilli(sn.startTime).toString());
        m.put("description", sn.description);
        if (sn.completionTime > 0) {
            m.put("completionTime", Instant.ofEpochMilli(sn.completionTime).toString());
        }
        if (!sn.fastRestores.isEmpty()) {
            Map<String, Object> fsr = new LinkedHashMap<>();
            sn.fastRestores.forEach((zone, f) -> fsr.put(zone, f.state));
            m.put("fastSnapshotRestores", fsr);
        }
        return m;
    }
}
