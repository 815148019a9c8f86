package io.zonemover.aws;

import io.zonemover.domain.EbsSnapshot;
import io.zonemover.domain.EbsVolume;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.AvailabilityZoneState;
import software.amazon.awssdk.services.ec2.model.CreateVolumeRequest;
import software.amazon.awssdk.services.ec2.model.DisableFastSnapshotRestoresResponse;
import software.amazon.awssdk.services.ec2.model.EnableFastSnapshotRestoresResponse;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Snapshot;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.ec2.model.Volume;
import software.amazon.awssdk.services.ec2.model.VolumeAttachment;

import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * {@link BlockStore} over the AWS SDK v2 Ec2Client (real EC2, or any endpoint speaking its protocol).
 *
 * <p>Reads of volumes and snapshots by id go through {@link SharedDescribes}, so that the moves of one process
 * share their Describe calls; the region's zones are asked once per {@link #ZONES_TTL}.
 */
public final class Ec2BlockStore implements BlockStore {

    /** Zones rarely change; an outage shows in the volumes and instances first, not here. */
    static final Duration ZONES_TTL = Duration.ofMinutes(1);
    /** How long after its last read a resource is still asked about in the calls made for others. */
    private static final Duration INTEREST = Duration.ofMinutes(1);

    private final Ec2Client ec2;
    private final SharedDescribes<EbsVolume> volumes;
    private final SharedDescribes<EbsSnapshot> snapshots;
    private final LongSupplier nanos;
    private List<String> zones;
    private long zonesAt;

    /** Every read asks EC2. */
    public Ec2BlockStore(Ec2Client ec2) {
        this(ec2, Duration.ZERO);
    }

    /**
     * Reads share EC2's answers for {@code fresh}: a read no older than that is answered from the last call, and
     * each call also asks about the other resources in flight. Keep it under the interval at which a step looks
     * again, so that a step never sees its own last answer twice.
     */
    public Ec2BlockStore(Ec2Client ec2, Duration fresh) {
        this.ec2 = ec2;
        this.nanos = System::nanoTime;
        this.volumes = new SharedDescribes<>(this::describeVolumes, EbsVolume::id, v -> false, fresh.toNanos(),
                INTEREST.toNanos(), nanos);
        this.snapshots = new SharedDescribes<>(this::describeSnapshots, EbsSnapshot::id,
                s -> s.completed() || s.failed(), fresh.toNanos(), INTEREST.toNanos(), nanos);
    }

    @Override
    public synchronized List<String> zones() {
        long now = nanos.getAsLong();
        if (zones == null || now - zonesAt > ZONES_TTL.toNanos()) {
            zones = call(() -> ec2.describeAvailabilityZones().availabilityZones().stream()
                    .filter(z -> z.state() == null || z.state() == AvailabilityZoneState.AVAILABLE)
                    .map(z -> z.zoneName()).sorted().toList());
            zonesAt = now;
        }
        return zones;
    }

    @Override
    public Optional<EbsVolume> volume(String volumeId) {
        return volumes.read(List.of(volumeId)).stream().findFirst();
    }

    @Override
    public List<EbsVolume> volumes(List<String> volumeIds) {
        return volumeIds.isEmpty() ? List.of() : volumes.read(volumeIds);
    }

    @Override
    public List<EbsSnapshot> snapshots(List<String> snapshotIds) {
        return snapshotIds.isEmpty() ? List.of() : snapshots.read(snapshotIds);
    }

    @Override
    public Optional<EbsSnapshot> snapshot(String snapshotId) {
        return snapshots.read(List.of(snapshotId)).stream().findFirst();
    }

    /**
     * One DescribeVolumes for these ids, by the {@code volume-id} filter: unlike VolumeId.N, it leaves out an id
     * EC2 does not know (a volume just created can be unknown for a moment) instead of failing the whole call.
     */
    private List<EbsVolume> describeVolumes(List<String> volumeIds) {
        return call(() -> ec2.describeVolumesPaginator(r -> r.filters(Filter.builder().name("volume-id")
                .values(volumeIds).build())).volumes().stream().map(Ec2BlockStore::toDomain).toList());
    }

    /**
     * One DescribeSnapshots for these ids. By SnapshotId.N, so that a snapshot shared by another account is
     * found too; one unknown id fails such a call, so then each id is asked alone.
     */
    private List<EbsSnapshot> describeSnapshots(List<String> snapshotIds) {
        try {
            return call(() -> ec2.describeSnapshots(r -> r.snapshotIds(snapshotIds)).snapshots().stream()
                    .map(Ec2BlockStore::toDomain).toList());
        } catch (CloudException e) {
            if (!"InvalidSnapshot.NotFound".equals(e.code())) {
                throw e;
            }
            if (snapshotIds.size() == 1) {
                return List.of();
            }
            return snapshotIds.stream().flatMap(id -> describeSnapshots(List.of(id)).stream()).toList();
        }
    }

    @Override
    public List<EbsVolume> volumesTagged(String key, String value) {
        return call(() -> ec2.describeVolumes(r -> r.filters(tagFilter(key, value))).volumes().stream()
                .map(Ec2BlockStore::toDomain).toList());
    }

    @Override
    public List<EbsSnapshot> snapshotsTagged(String key, String value) {
        return call(() -> ec2.describeSnapshots(r -> r.ownerIds("self").filters(tagFilter(key, value))).snapshots()
                .stream().map(Ec2BlockStore::toDomain)
                .sorted(Comparator.comparing(EbsSnapshot::startTime, Comparator.nullsFirst(Comparator.naturalOrder())))
                .toList());
    }

    @Override
    public String createSnapshot(String volumeId, String description, Map<String, String> tags) {
        try {
            return call(() -> ec2.createSnapshot(r -> r.volumeId(volumeId).description(description)
                    .tagSpecifications(tagSpec(ResourceType.SNAPSHOT, tags))).snapshotId());
        } finally {
            // "The next read must go to EC2": whatever a call made before this one said of the volume.
            volumes.forget(volumeId);
        }
    }

    @Override
    public String createVolume(String snapshotId, String zone, EbsVolume like, Map<String, String> tags,
                               String clientToken) {
        return createVolume(snapshotId, zone, like, tags, clientToken, null);
    }

    @Override
    public String createVolume(String snapshotId, String zone, EbsVolume like, Map<String, String> tags,
                               String clientToken, Integer initializationRate) {
        CreateVolumeRequest.Builder request = CreateVolumeRequest.builder()
                .snapshotId(snapshotId)
                .availabilityZone(zone)
                .volumeType(like.type())
                .size(like.sizeGiB())
                .clientToken(clientToken)
                .tagSpecifications(tagSpec(ResourceType.VOLUME, tags));
        // Only the types that take them: EC2 rejects iops on gp2/st1/sc1 and throughput on anything but gp3.
        if (like.iops() != null && List.of("gp3", "io1", "io2").contains(like.type())) {
            request.iops(like.iops());
        }
        if (like.throughput() != null && "gp3".equals(like.type())) {
            request.throughput(like.throughput());
        }
        if (like.encrypted()) {
            request.encrypted(true);
            if (like.kmsKeyId() != null) {
                request.kmsKeyId(like.kmsKeyId());
            }
        }
        if (initializationRate != null) {
            request.volumeInitializationRate(initializationRate);
        }
        String id = call(() -> ec2.createVolume(request.build()).volumeId());
        // A repeated token answers with a volume that may have been read already: read it afresh.
        volumes.forget(id);
        return id;
    }

    @Override
    public Map<String, String> enableFastSnapshotRestores(List<String> snapshotIds, String zone) {
        EnableFastSnapshotRestoresResponse answer = call(() -> ec2.enableFastSnapshotRestores(r -> r
                .sourceSnapshotIds(snapshotIds).availabilityZones(zone)));
        refused(answer.unsuccessful().stream().flatMap(u -> u.fastSnapshotRestoreStateErrors().stream()
                .map(e -> Map.entry(u.snapshotId(), e.error()))).toList().stream()
                .map(e -> new CloudException(e.getValue().code(), "EnableFastSnapshotRestores of " + e.getKey()
                        + " in " + zone + ": " + e.getValue().message(), null)).toList());
        Map<String, String> states = new LinkedHashMap<>();
        answer.successful().forEach(i -> states.put(i.snapshotId(), i.stateAsString()));
        return states;
    }

    @Override
    public Map<String, String> fastSnapshotRestores(List<String> snapshotIds, String zone) {
        Map<String, String> states = new LinkedHashMap<>();
        if (snapshotIds.isEmpty()) {
            return states;
        }
        call(() -> ec2.describeFastSnapshotRestoresPaginator(r -> r.filters(
                Filter.builder().name("snapshot-id").values(snapshotIds).build(),
                Filter.builder().name("availability-zone").values(zone).build())).fastSnapshotRestores().stream()
                .toList()).forEach(i -> states.put(i.snapshotId(), i.stateAsString()));
        return states;
    }

    @Override
    public void disableFastSnapshotRestores(List<String> snapshotIds, String zone) {
        DisableFastSnapshotRestoresResponse answer = call(() -> ec2.disableFastSnapshotRestores(r -> r
                .sourceSnapshotIds(snapshotIds).availabilityZones(zone)));
        // Disabling what is gone or was never enabled is success, as deleting what is gone is.
        refused(answer.unsuccessful().stream().flatMap(u -> u.fastSnapshotRestoreStateErrors().stream()
                .filter(e -> e.error() != null && !"InvalidSnapshot.NotFound".equals(e.error().code()))
                .map(e -> new CloudException(e.error().code(), "DisableFastSnapshotRestores of " + u.snapshotId()
                        + " in " + zone + ": " + e.error().message(), null))).toList());
    }

    /** The first of EC2's per-item refusals, thrown. */
    private static void refused(List<CloudException> refusals) {
        if (!refusals.isEmpty()) {
            throw refusals.get(0);
        }
    }

    @Override
    public void tag(String resourceId, Map<String, String> tags) {
        try {
            call(() -> ec2.createTags(r -> r.resources(resourceId).tags(toTags(tags))));
        } finally {
            volumes.forget(resourceId);
            snapshots.forget(resourceId);
        }
    }

    @Override
    public List<EbsSnapshot> snapshotsOfVolumes(List<String> volumeIds) {
        if (volumeIds.isEmpty()) {
            return List.of();
        }
        return call(() -> ec2.describeSnapshotsPaginator(r -> r.filters(Filter.builder().name("volume-id")
                        .values(volumeIds).build())).snapshots().stream()
                .map(Ec2BlockStore::toDomain)
                .sorted(Comparator.comparing(EbsSnapshot::startTime, Comparator.nullsLast(Comparator.reverseOrder())))
                .toList());
    }

    @Override
    public Optional<String> instanceState(String instanceId) {
        try {
            return call(() -> ec2.describeInstances(r -> r.instanceIds(instanceId)).reservations().stream()
                    .flatMap(r -> r.instances().stream()).findFirst()
                    .map(i -> i.state() == null ? null : i.state().nameAsString()));
        } catch (CloudException e) {
            if ("InvalidInstanceID.NotFound".equals(e.code())) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public Map<String, String> volumeStatus(List<String> volumeIds) {
        Map<String, String> status = new LinkedHashMap<>();
        if (volumeIds.isEmpty()) {
            return status;
        }
        call(() -> ec2.describeVolumeStatusPaginator(r -> r.volumeIds(volumeIds)).volumeStatuses().stream())
                .forEach(v -> status.put(v.volumeId(), v.volumeStatus() == null ? null
                        : v.volumeStatus().statusAsString()));
        return status;
    }

    @Override
    public void deleteSnapshot(String snapshotId) {
        try {
            deleteUnlessGone("InvalidSnapshot.NotFound", () -> ec2.deleteSnapshot(r -> r.snapshotId(snapshotId)));
        } finally {
            snapshots.forget(snapshotId);
        }
    }

    @Override
    public void deleteVolume(String volumeId) {
        try {
            deleteUnlessGone("InvalidVolume.NotFound", () -> ec2.deleteVolume(r -> r.volumeId(volumeId)));
        } finally {
            volumes.forget(volumeId);
        }
    }

    /** Deleting what is already gone is success: a retried delete whose first answer was lost finds nothing. */
    private static void deleteUnlessGone(String notFoundCode, Supplier<?> delete) {
        try {
            call(delete);
        } catch (CloudException e) {
            if (!notFoundCode.equals(e.code())) {
                throw e;
            }
        }
    }

    @Override
    public java.time.Instant now() {
        return call(() -> ec2.describeAvailabilityZones().sdkHttpResponse().firstMatchingHeader("Date")
                .map(d -> java.time.ZonedDateTime.parse(d, java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME)
                        .toInstant())
                .orElseGet(java.time.Instant::now));
    }

    private static Filter tagFilter(String key, String value) {
        return Filter.builder().name("tag:" + key).values(value).build();
    }

    private static TagSpecification tagSpec(ResourceType type, Map<String, String> tags) {
        return TagSpecification.builder().resourceType(type).tags(toTags(tags)).build();
    }

    private static List<Tag> toTags(Map<String, String> tags) {
        return tags.entrySet().stream().map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build()).toList();
    }

    private static Map<String, String> fromTags(List<Tag> tags) {
        Map<String, String> map = new LinkedHashMap<>();
        tags.forEach(t -> map.put(t.key(), t.value()));
        return map;
    }

    static EbsVolume toDomain(Volume v) {
        return new EbsVolume(v.volumeId(), v.availabilityZone(), v.stateAsString(),
                v.size() == null ? 0 : v.size(), v.volumeTypeAsString(), v.iops(), v.throughput(),
                Boolean.TRUE.equals(v.encrypted()), v.kmsKeyId(), v.snapshotId(), fromTags(v.tags()),
                v.attachments().stream().map(VolumeAttachment::instanceId).toList(),
                v.attachments().stream().map(VolumeAttachment::stateAsString).toList());
    }

    static EbsSnapshot toDomain(Snapshot s) {
        return new EbsSnapshot(s.snapshotId(), s.volumeId(), s.stateAsString(), s.progress(), s.stateMessage(),
                s.startTime(), fromTags(s.tags()), s.completionTime());
    }

    private static <T> T call(Supplier<T> body) {
        try {
            return body.get();
        } catch (Ec2Exception e) {
            String code = e.awsErrorDetails() != null && e.awsErrorDetails().errorCode() != null
                    ? e.awsErrorDetails().errorCode() : "HTTP" + e.statusCode();
            String message = e.awsErrorDetails() != null ? e.awsErrorDetails().errorMessage() : e.getMessage();
            throw new CloudException(code, message, e);
        } catch (SdkException e) {
            throw new CloudException("ClientError", String.valueOf(e.getMessage()), e);
        }
    }
}
