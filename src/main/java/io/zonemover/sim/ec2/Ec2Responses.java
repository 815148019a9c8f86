package io.zonemover.sim.ec2;

import io.zonemover.sim.ec2.Ec2State.Attachment;
import io.zonemover.sim.ec2.Ec2State.Snapshot;
import io.zonemover.sim.ec2.Ec2State.Volume;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

/**
 * One method per EC2 action (moto's {@code responses}): read the action's parameters, call one model method,
 * render its answer in the shape the SDK's unmarshallers expect. Adding a call is one method here, one line in
 * {@link #ACTIONS}, and one model method.
 */
final class Ec2Responses {

    private static final DateTimeFormatter TS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    /** Writes the body of one action's answer, given its parameters and the world at {@code now}. */
    @FunctionalInterface
    interface Handler {
        void respond(QueryParams p, Ec2World w, long now, QueryXml x);
    }

    /** An action: whether it changes the world (saved, and drawn from the mutating bucket), and its handler. */
    record Action(boolean mutating, Handler handler) {
    }

    static final Map<String, Action> ACTIONS = Map.ofEntries(
            read("DescribeAvailabilityZones", Ec2Responses::describeAvailabilityZones),
            read("DescribeVolumes", Ec2Responses::describeVolumes),
            read("DescribeSnapshots", Ec2Responses::describeSnapshots),
            write("CreateVolume", Ec2Responses::createVolume),
            write("DeleteVolume", Ec2Responses::deleteVolume),
            write("AttachVolume", Ec2Responses::attachVolume),
            write("DetachVolume", Ec2Responses::detachVolume),
            write("CreateSnapshot", Ec2Responses::createSnapshot),
            write("DeleteSnapshot", Ec2Responses::deleteSnapshot),
            write("CreateTags", Ec2Responses::createTags));

    private static Map.Entry<String, Action> read(String name, Handler handler) {
        return Map.entry(name, new Action(false, handler));
    }

    private static Map.Entry<String, Action> write(String name, Handler handler) {
        return Map.entry(name, new Action(true, handler));
    }

    private Ec2Responses() {
    }

    // ------------------------------------------------------------------ zones

    static void describeAvailabilityZones(QueryParams p, Ec2World w, long now, QueryXml x) {
        List<String> names = p.list("ZoneName");
        for (String n : names) {
            if (!w.zones().contains(n)) {
                throw Ec2Error.invalid("Invalid availability zone: [" + n + "]");
            }
        }
        List<Filter> filters = p.filters();
        x.open("availabilityZoneInfo");
        int index = 0;
        for (String zone : w.zones()) {
            index++;
            // Zone ids are per account in AWS; here the n-th zone of the region is az<n> (use1-az1, ...).
            String zoneId = regionPrefix(w.region()) + "-az" + index;
            if (!names.isEmpty() && !names.contains(zone)) {
                continue;
            }
            boolean ok = Filter.all(filters, f -> f.matches(switch (f.name()) {
                case "zone-name" -> zone;
                case "zone-id" -> zoneId;
                case "region-name" -> w.region();
                case "state" -> "available";
                default -> throw Ec2Error.invalidFilter(f.name());
            }));
            if (ok) {
                x.open("item").el("zoneState", "available").el("optInStatus", "opt-in-not-required")
                        .open("messageSet").close().el("regionName", w.region()).el("zoneName", zone)
                        .el("zoneId", zoneId).el("groupName", w.region()).el("networkBorderGroup", w.region())
                        .el("zoneType", "availability-zone").close();
            }
        }
        x.close();
    }

    /** {@code us-east-1} -> {@code use1}, {@code ap-southeast-2} -> {@code apse2}. */
    private static String regionPrefix(String region) {
        String[] parts = region.split("-");
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < parts.length - 1; i++) {
            b.append(parts[i].length() <= 2 ? parts[i] : parts[i].substring(0, 1));
        }
        return b.append(parts[parts.length - 1]).toString();
    }

    // ------------------------------------------------------------------ volumes

    static void describeVolumes(QueryParams p, Ec2World w, long now, QueryXml x) {
        List<Volume> found = w.volumes().describe(p.list("VolumeId"), now);
        List<Filter> filters = p.filters();
        List<Volume> matched = found.stream().filter(v -> Filter.all(filters, f -> switch (f.name()) {
            case "volume-id" -> f.matches(v.id);
            case "availability-zone" -> f.matches(v.zone);
            case "status" -> f.matches(v.state);
            case "snapshot-id" -> f.matches(v.snapshotId == null ? "" : v.snapshotId);
            case "volume-type" -> f.matches(v.type);
            case "size" -> f.matches(Integer.toString(v.sizeGiB));
            case "encrypted" -> f.matches(Boolean.toString(v.encrypted));
            case "attachment.instance-id" -> v.attachment != null && f.matches(v.attachment.instanceId);
            case "attachment.status" -> v.attachment != null && f.matches(v.attachment.state);
            default -> f.matchesTags(v.tags);
        })).toList();
        Page<Volume> page = Page.of(p, matched);
        x.set("volumeSet", page.items(), (v, xi) -> volume(v, xi));
        x.optional("nextToken", page.nextToken());
    }

    static void createVolume(QueryParams p, Ec2World w, long now, QueryXml x) {
        Volumes.CreateRequest r = new Volumes.CreateRequest();
        r.zone = p.get("AvailabilityZone");
        r.sizeGiB = p.integer("Size");
        r.snapshotId = p.get("SnapshotId");
        r.type = p.get("VolumeType");
        r.iops = p.integer("Iops");
        r.throughput = p.integer("Throughput");
        r.encrypted = p.bool("Encrypted");
        r.kmsKeyId = p.get("KmsKeyId");
        r.tags = p.tagSpecs("volume");
        r.clientToken = p.get("ClientToken");
        volume(w.volumes().create(r, now), x);
    }

    static void deleteVolume(QueryParams p, Ec2World w, long now, QueryXml x) {
        w.volumes().delete(p.required("VolumeId"), now);
        x.el("return", "true");
    }

    static void attachVolume(QueryParams p, Ec2World w, long now, QueryXml x) {
        String volumeId = p.required("VolumeId");
        attachment(volumeId, w.volumes().attach(volumeId, p.required("InstanceId"), p.required("Device"), now), x);
    }

    static void detachVolume(QueryParams p, Ec2World w, long now, QueryXml x) {
        String volumeId = p.required("VolumeId");
        attachment(volumeId, w.volumes().detach(volumeId, p.get("InstanceId"), now), x);
    }

    // ------------------------------------------------------------------ snapshots

    static void describeSnapshots(QueryParams p, Ec2World w, long now, QueryXml x) {
        List<Snapshot> found = w.snapshots().describe(p.list("SnapshotId"));
        List<Filter> filters = p.filters();
        List<Snapshot> matched = found.stream().filter(sn -> Filter.all(filters, f -> switch (f.name()) {
            case "snapshot-id" -> f.matches(sn.id);
            case "volume-id" -> f.matches(sn.volumeId);
            case "status" -> f.matches(sn.state);
            case "owner-id" -> f.matches(Ec2World.OWNER_ID);
            case "description" -> f.matches(sn.description);
            case "progress" -> f.matches(Snapshots.progress(sn, now) + "%");
            case "volume-size" -> f.matches(Integer.toString(sn.sizeGiB));
            case "encrypted" -> f.matches(Boolean.toString(sn.encrypted));
            default -> f.matchesTags(sn.tags);
        })).toList();
        Page<Snapshot> page = Page.of(p, matched);
        x.set("snapshotSet", page.items(), (sn, xi) -> snapshot(sn, now, xi));
        x.optional("nextToken", page.nextToken());
    }

    static void createSnapshot(QueryParams p, Ec2World w, long now, QueryXml x) {
        snapshot(w.snapshots().create(p.required("VolumeId"), p.get("Description"), p.tagSpecs("snapshot"), now),
                now, x);
    }

    static void deleteSnapshot(QueryParams p, Ec2World w, long now, QueryXml x) {
        w.snapshots().delete(p.required("SnapshotId"));
        x.el("return", "true");
    }

    // ------------------------------------------------------------------ tags

    static void createTags(QueryParams p, Ec2World w, long now, QueryXml x) {
        List<String> ids = p.list("ResourceId");
        if (ids.isEmpty()) {
            throw Ec2Error.missing("ResourceId");
        }
        w.createTags(ids, p.tags("Tag"), now);
        x.el("return", "true");
    }

    // ------------------------------------------------------------------ shapes

    private static void volume(Volume v, QueryXml x) {
        x.el("volumeId", v.id).el("size", Integer.toString(v.sizeGiB))
                .el("snapshotId", v.snapshotId == null ? "" : v.snapshotId)
                .el("availabilityZone", v.zone).el("status", v.state).el("createTime", time(v.createTime))
                .set("attachmentSet", v.attachment == null ? List.<Attachment>of() : List.of(v.attachment),
                        (a, xi) -> attachment(v.id, a, xi))
                .el("volumeType", v.type).optional("iops", v.iops).optional("throughput", v.throughput)
                .el("encrypted", Boolean.toString(v.encrypted)).optional("kmsKeyId", v.kmsKeyId)
                .el("multiAttachEnabled", "false").tagSet(v.tags);
    }

    private static void attachment(String volumeId, Attachment a, QueryXml x) {
        x.el("volumeId", volumeId).el("instanceId", a.instanceId).el("device", a.device).el("status", a.state)
                .el("attachTime", time(a.attachTime)).el("deleteOnTermination", "false");
    }

    private static void snapshot(Snapshot sn, long now, QueryXml x) {
        x.el("snapshotId", sn.id).el("volumeId", sn.volumeId).el("status", sn.state)
                .el("startTime", time(sn.startTime)).el("progress", Snapshots.progress(sn, now) + "%")
                .el("ownerId", Ec2World.OWNER_ID).el("volumeSize", Integer.toString(sn.sizeGiB))
                .el("description", sn.description).el("encrypted", Boolean.toString(sn.encrypted))
                .optional("kmsKeyId", sn.kmsKeyId)
                .optional("stateMessage", "error".equals(sn.state) ? "Snapshot failed (injected fault)" : null)
                .el("storageTier", "standard").tagSet(sn.tags);
    }

    private static String time(long epochMillis) {
        return TS.format(Instant.ofEpochMilli(epochMillis));
    }
}
