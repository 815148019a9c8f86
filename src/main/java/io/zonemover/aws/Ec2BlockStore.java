package io.zonemover.aws;

import io.zonemover.domain.EbsSnapshot;
import io.zonemover.domain.EbsVolume;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.AvailabilityZoneState;
import software.amazon.awssdk.services.ec2.model.CreateVolumeRequest;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Snapshot;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.ec2.model.Volume;
import software.amazon.awssdk.services.ec2.model.VolumeAttachment;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/** {@link BlockStore} over the AWS SDK v2 Ec2Client (real EC2, or any endpoint speaking its protocol). */
public final class Ec2BlockStore implements BlockStore {

    private final Ec2Client ec2;

    public Ec2BlockStore(Ec2Client ec2) {
        this.ec2 = ec2;
    }

    @Override
    public List<String> zones() {
        return call(() -> ec2.describeAvailabilityZones().availabilityZones().stream()
                .filter(z -> z.state() == null || z.state() == AvailabilityZoneState.AVAILABLE)
                .map(z -> z.zoneName()).sorted().toList());
    }

    @Override
    public Optional<EbsVolume> volume(String volumeId) {
        try {
            return call(() -> ec2.describeVolumes(r -> r.volumeIds(volumeId)).volumes().stream()
                    .findFirst().map(Ec2BlockStore::toDomain));
        } catch (CloudException e) {
            if ("InvalidVolume.NotFound".equals(e.code())) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public List<EbsVolume> volumes(List<String> volumeIds) {
        if (volumeIds.isEmpty()) {
            return List.of();
        }
        try {
            return call(() -> ec2.describeVolumes(r -> r.volumeIds(volumeIds)).volumes().stream()
                    .map(Ec2BlockStore::toDomain).toList());
        } catch (CloudException e) {
            // One unknown id fails the whole call (a new volume can be NotFound for a moment): ask one by one.
            if (volumeIds.size() > 1 && "InvalidVolume.NotFound".equals(e.code())) {
                return volumeIds.stream().map(this::volume).flatMap(Optional::stream).toList();
            }
            if ("InvalidVolume.NotFound".equals(e.code())) {
                return List.of();
            }
            throw e;
        }
    }

    @Override
    public List<EbsSnapshot> snapshots(List<String> snapshotIds) {
        if (snapshotIds.isEmpty()) {
            return List.of();
        }
        try {
            return call(() -> ec2.describeSnapshots(r -> r.snapshotIds(snapshotIds)).snapshots().stream()
                    .map(Ec2BlockStore::toDomain).toList());
        } catch (CloudException e) {
            if (snapshotIds.size() > 1 && "InvalidSnapshot.NotFound".equals(e.code())) {
                return snapshotIds.stream().map(this::snapshot).flatMap(Optional::stream).toList();
            }
            if ("InvalidSnapshot.NotFound".equals(e.code())) {
                return List.of();
            }
            throw e;
        }
    }

    @Override
    public List<EbsVolume> volumesTagged(String key, String value) {
        return call(() -> ec2.describeVolumes(r -> r.filters(tagFilter(key, value))).volumes().stream()
                .map(Ec2BlockStore::toDomain).toList());
    }

    @Override
    public Optional<EbsSnapshot> snapshot(String snapshotId) {
        try {
            return call(() -> ec2.describeSnapshots(r -> r.snapshotIds(snapshotId)).snapshots().stream()
                    .findFirst().map(Ec2BlockStore::toDomain));
        } catch (CloudException e) {
            if ("InvalidSnapshot.NotFound".equals(e.code())) {
                return Optional.empty();
            }
            throw e;
        }
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
        return call(() -> ec2.createSnapshot(r -> r.volumeId(volumeId).description(description)
                .tagSpecifications(tagSpec(ResourceType.SNAPSHOT, tags))).snapshotId());
    }

    @Override
    public String createVolume(String snapshotId, String zone, EbsVolume like, Map<String, String> tags,
                               String clientToken) {
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
        return call(() -> ec2.createVolume(request.build()).volumeId());
    }

    @Override
    public void tag(String resourceId, Map<String, String> tags) {
        call(() -> ec2.createTags(r -> r.resources(resourceId).tags(toTags(tags))));
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
        deleteUnlessGone("InvalidSnapshot.NotFound", () -> ec2.deleteSnapshot(r -> r.snapshotId(snapshotId)));
    }

    @Override
    public void deleteVolume(String volumeId) {
        deleteUnlessGone("InvalidVolume.NotFound", () -> ec2.deleteVolume(r -> r.volumeId(volumeId)));
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
                v.attachments().stream().map(VolumeAttachment::instanceId).toList());
    }

    static EbsSnapshot toDomain(Snapshot s) {
        return new EbsSnapshot(s.snapshotId(), s.volumeId(), s.stateAsString(), s.progress(), s.stateMessage(),
                s.startTime(), fromTags(s.tags()));
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
