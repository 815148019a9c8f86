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
            read("DescribeInstances", Ec2Responses::describeInstances),
            read("DescribeVolumeStatus", Ec2Responses::describeVolumeStatus),
            write("CreateVolume", Ec2Responses::createVolume),
            write("DeleteVolume", Ec2Responses::deleteVolume),
            write("AttachVolume", Ec2Responses::attachVolume),
            write("DetachVolume", Ec2Responses::detachVolume),
            write("CreateSnapshot", Ec2Responses::createSnapshot),
            write("DeleteSnapshot", Ec2Responses::deleteSnapshot),
            write("CreateTags", Ec2Responses::createTags),
            write("EnableFastSnapshotRestores", Ec2Responses::enableFastSnapshotRestores),
            write("DisableFastSnapshotRestores", Ec2Responses::disableFastSnapshotRestores),
            read("DescribeFastSnapshotRestores", Ec2Responses::describeFastSnapshotRestores));

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

    /**
     * DescribeVolumeStatus: {@code ok} with the io-enabled check passed, {@code impaired} with it failed while the
     * volume's zone is down (Ec2World's outage model), {@code insufficient-data} while it is being created. A volume
     * restored from a snapshot also carries {@code initializationStatusDetails}: its type ({@code provisioned-rate}
     * when CreateVolume asked for a rate, else {@code default}, fast snapshot restore included), progress, and the
     * estimated seconds left, which EC2 gives only for a provisioned rate (API_InitializationStatusDetails).
     */
    static void describeVolumeStatus(QueryParams p, Ec2World w, long now, QueryXml x) {
        List<Volume> found = w.volumes().describe(p.list("VolumeId"), now);
        List<Filter> filters = p.filters();
        List<Volume> matched = found.stream().filter(v -> Filter.all(filters, f -> f.matches(switch (f.name()) {
            case "volume-id" -> v.id;
            case "availability-zone" -> v.zone;
            case "volume-status.status" -> volumeStatus(w, v);
            case "volume-status.details-name" -> "io-enabled";
            case "volume-status.details-status" -> ioEnabled(w, v);
            default -> throw Ec2Error.invalidFilter(f.name());
        }))).toList();
        Page<Volume> page = Page.of(p, matched);
        x.set("volumeStatusSet", page.items(), (v, xi) -> {
            boolean provisioned = "io1".equals(v.type) || "io2".equals(v.type);
            xi.el("volumeId", v.id).el("availabilityZone", v.zone).open("volumeStatus")
                    .el("status", volumeStatus(w, v)).open("details")
                    .open("item").el("name", "io-enabled").el("status", ioEnabled(w, v)).close()
                    .open("item").el("name", "io-performance")
                    .el("status", provisioned && !w.zoneDown(v.zone) ? "normal" : "not-applicable").close()
                    .close().close().open("eventsSet").close().open("actionsSet").close();
            if (v.snapshotId != null && v.initializedAt > 0) {
                boolean rateAsked = v.initializationRate != null;
                xi.open("initializationStatusDetails")
                        .el("initializationType", rateAsked ? "provisioned-rate" : "default")
                        .el("progress", Integer.toString(Initialization.progress(v, now)))
                        .optional("estimatedTimeToCompleteInSeconds", rateAsked
                                ? Math.max(0, (v.initializedAt - Math.max(now, v.initStart)) / 1000) : null)
                        .close();
            }
        });
        x.optional("nextToken", page.nextToken());
    }

    private static String volumeStatus(Ec2World w, Volume v) {
        return w.zoneDown(v.zone) ? "impaired" : "creating".equals(v.state) ? "insufficient-data" : "ok";
    }

    private static String ioEnabled(Ec2World w, Volume v) {
        return w.zoneDown(v.zone) ? "failed" : "creating".equals(v.state) ? "insufficient-data" : "passed";
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
        r.initializationRate = p.integer("VolumeInitializationRate");
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

    // ------------------------------------------------------------------ fast snapshot restores

    static void enableFastSnapshotRestores(QueryParams p, Ec2World w, long now, QueryXml x) {
        fastRestoreOutcomes(w.fastRestores().enable(p.list("SourceSnapshotId"), p.list("AvailabilityZone"), now), x);
    }

    static void disableFastSnapshotRestores(QueryParams p, Ec2World w, long now, QueryXml x) {
        fastRestoreOutcomes(w.fastRestores().disable(p.list("SourceSnapshotId"), p.list("AvailabilityZone"), now), x);
    }

    /** Enable/Disable's answer: a {@code successful} item per pair that took, {@code unsuccessful} for the others. */
    private static void fastRestoreOutcomes(List<FastRestores.Outcome> outcomes, QueryXml x) {
        x.set("successful", outcomes.stream().filter(o -> o.errorCode() == null).toList(),
                (o, xi) -> fastRestore(o.snapshotId(), o.zone(), o.restore(), xi));
        x.set("unsuccessful", outcomes.stream().filter(o -> o.errorCode() != null).toList(),
                (o, xi) -> xi.el("snapshotId", o.snapshotId()).open("fastSnapshotRestoreStateErrorSet")
                        .open("item").el("availabilityZone", o.zone()).open("error").el("code", o.errorCode())
                        .el("message", o.errorMessage()).close().close().close());
    }

    static void describeFastSnapshotRestores(QueryParams p, Ec2World w, long now, QueryXml x) {
        List<Filter> filters = p.filters();
        List<Map.Entry<Snapshot, Map.Entry<String, Ec2State.FastRestore>>> matched = w.fastRestores().all().stream()
                .filter(e -> Filter.all(filters, f -> f.matches(switch (f.name()) {
                    case "snapshot-id" -> e.getKey().id;
                    case "availability-zone" -> e.getValue().getKey();
                    case "owner-id" -> Ec2World.OWNER_ID;
                    case "state" -> e.getValue().getValue().state;
                    default -> throw Ec2Error.invalidFilter(f.name());
                }))).toList();
        Page<Map.Entry<Snapshot, Map.Entry<String, Ec2State.FastRestore>>> page = Page.of(p, matched);
        x.set("fastSnapshotRestoreSet", page.items(),
                (e, xi) -> fastRestore(e.getKey().id, e.getValue().getKey(), e.getValue().getValue(), xi));
        x.optional("nextToken", page.nextToken());
    }

    private static void fastRestore(String snapshotId, String zone, Ec2State.FastRestore f, QueryXml x) {
        x.el("snapshotId", snapshotId).el("availabilityZone", zone).el("state", f.state)
                .el("stateTransitionReason", "Client.UserInitiated - Lifecycle state transition")
                .el("ownerId", Ec2World.OWNER_ID)
                .optional("enablingTime", f.enablingTime > 0 ? time(f.enablingTime) : null)
                .optional("optimizingTime", f.optimizingTime > 0 ? time(f.optimizingTime) : null)
                .optional("enabledTime", f.enabledTime > 0 ? time(f.enabledTime) : null)
                .optional("disablingTime", f.disablingTime > 0 ? time(f.disablingTime) : null)
                .optional("disabledTime", f.disabledTime > 0 ? time(f.disabledTime) : null);
    }

    // ------------------------------------------------------------------ instances

    /**
     * DescribeInstances of the nodes' instances, one reservation each: {@code running} (16), or {@code stopped}
     * (80) while its zone is down, which is our outage model (Ec2World).
     */
    static void describeInstances(QueryParams p, Ec2World w, long now, QueryXml x) {
        List<String> ids = p.list("InstanceId");
        if (!ids.isEmpty() && p.has("MaxResults")) {
            throw Ec2Error.parameterCombination("The parameter instancesSet cannot be used with the parameter "
                    + "maxResults");
        }
        List<String> missing = ids.stream().filter(id -> !w.instances().containsKey(id)).distinct().toList();
        if (!missing.isEmpty()) {
            throw missing.size() == 1 ? Ec2Error.instanceNotFound(missing.get(0))
                    : new Ec2Error("InvalidInstanceID.NotFound", "The instance IDs '" + String.join(", ", missing)
                    + "' do not exist");
        }
        List<Filter> filters = p.filters();
        List<Ec2State.Instance> matched = w.instances().values().stream()
                .filter(i -> ids.isEmpty() || ids.contains(i.id))
                .filter(i -> Filter.all(filters, f -> switch (f.name()) {
                    case "instance-id" -> f.matches(i.id);
                    case "availability-zone" -> f.matches(i.zone);
                    case "instance-state-name" -> f.matches(w.instanceState(i.id));
                    case "instance-state-code" -> f.matches(stateCode(w.instanceState(i.id)));
                    default -> f.matchesTags(Map.of());
                })).toList();
        Page<Ec2State.Instance> page = Page.of(p, matched);
        x.set("reservationSet", page.items(), (i, xi) -> {
            String state = w.instanceState(i.id);
            String ip = "10.0." + Math.abs(i.id.hashCode() % 250) + "." + (Math.abs(i.id.hashCode() / 250 % 250) + 1);
            xi.el("reservationId", "r-" + Content.sha(i.id, 17)).el("ownerId", Ec2World.OWNER_ID)
                    .open("groupSet").close().open("instancesSet").open("item")
                    .el("instanceId", i.id).el("imageId", "ami-0sim00000000000000")
                    .open("instanceState").el("code", stateCode(state)).el("name", state).close()
                    .el("privateDnsName", "ip-" + ip.replace('.', '-') + "." + w.region() + ".compute.internal")
                    .el("dnsName", "").el("reason", "running".equals(state) ? ""
                            : "Availability Zone " + i.zone + " is impaired (simulated outage)")
                    .el("amiLaunchIndex", "0").el("instanceType", "m5.xlarge")
                    .open("placement").el("availabilityZone", i.zone).el("groupName", "").el("tenancy", "default")
                    .close().open("monitoring").el("state", "disabled").close()
                    .el("privateIpAddress", ip).el("architecture", "x86_64").el("rootDeviceType", "ebs")
                    .el("rootDeviceName", "/dev/xvda")
                    .set("blockDeviceMapping", w.volumes().attachedTo(i.id), (v, xb) -> xb
                            .el("deviceName", v.attachment.device).open("ebs").el("volumeId", v.id)
                            .el("status", v.attachment.state).el("attachTime", time(v.attachment.attachTime))
                            .el("deleteOnTermination", "false").close())
                    .el("virtualizationType", "hvm").open("tagSet").close().close().close();
        });
        x.optional("nextToken", page.nextToken());
    }

    private static String stateCode(String state) {
        return "stopped".equals(state) ? "80" : "16";
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
                .el("multiAttachEnabled", "false")
                .optional("fastRestored", v.snapshotId == null ? null : Boolean.toString(v.fastRestored))
                .optional("volumeInitializationRate", v.initializationRate).tagSet(v.tags);
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
                .optional("statusMessage", !"error".equals(sn.state) ? null
                        : sn.stateMessage != null ? sn.stateMessage : "Snapshot failed (injected fault)")
                .optional("completionTime", sn.completionTime > 0 ? time(sn.completionTime) : null)
                .el("storageTier", "standard").tagSet(sn.tags);
    }

    private static String time(long epochMillis) {
        return TS.format(Instant.ofEpochMilli(epochMillis));
    }
}
