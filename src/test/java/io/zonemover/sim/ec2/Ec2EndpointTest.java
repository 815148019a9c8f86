package io.zonemover.sim.ec2;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.AttachVolumeResponse;
import software.amazon.awssdk.services.ec2.model.AvailabilityZone;
import software.amazon.awssdk.services.ec2.model.CreateSnapshotResponse;
import software.amazon.awssdk.services.ec2.model.CreateVolumeResponse;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Snapshot;
import software.amazon.awssdk.services.ec2.model.SnapshotState;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.ec2.model.Volume;
import software.amazon.awssdk.services.ec2.model.VolumeAttachmentState;
import software.amazon.awssdk.services.ec2.model.VolumeState;
import software.amazon.awssdk.services.ec2.model.VolumeType;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Drives the real AWS SDK v2 Ec2Client over HTTP against the simulated EC2 endpoint. */
class Ec2EndpointTest {

    private static final long T0 = 1_700_000_000_000L;

    private final AtomicLong clock = new AtomicLong(T0);
    private final AtomicLong wallNanos = new AtomicLong(0);
    private Ec2Access.InMemory access;
    private HttpServer server;
    private Ec2Client ec2;
    private URI uri;

    @org.junit.jupiter.api.BeforeAll
    static void noDelay() {
        // Without TCP_NODELAY, Nagle + delayed ACK adds ~40 ms to every exchange with com.sun.net.httpserver.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    @BeforeEach
    void start() throws Exception {
        access = new Ec2Access.InMemory(Ec2World.empty("us-east-1"), clock::get, true);
        access.with((w, now) -> {
            w.registerInstance("i-00000000000000b01", "us-east-1b");
            w.registerInstance("i-00000000000000c01", "us-east-1c");
            return null;
        }, true);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/", new Ec2Endpoint(access, wallNanos::get));
        server.start();
        uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        ec2 = Ec2Client.builder()
                .region(Region.US_EAST_1)
                .endpointOverride(uri)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build();
    }

    @AfterEach
    void stop() {
        ec2.close();
        server.stop(0);
    }

    private void advance(long seconds) {
        clock.addAndGet(seconds * 1000);
        wallNanos.addAndGet(seconds * 1_000_000_000L); // buckets refill too
    }

    private static Ec2Exception expect(String code, Executable call) {
        Ec2Exception e = assertThrows(Ec2Exception.class, call);
        assertEquals(code, e.awsErrorDetails().errorCode(), e.getMessage());
        return e;
    }

    private Volume describe(String volumeId) {
        List<Volume> vs = ec2.describeVolumes(r -> r.volumeIds(volumeId)).volumes();
        assertEquals(1, vs.size());
        return vs.get(0);
    }

    private Snapshot describeSnapshot(String id) {
        return ec2.describeSnapshots(r -> r.snapshotIds(id)).snapshots().get(0);
    }

    private String newVolume(String zone, int size, Map<String, String> tags) {
        CreateVolumeResponse r = ec2.createVolume(b -> b.availabilityZone(zone).size(size).volumeType(VolumeType.GP3)
                .tagSpecifications(TagSpecification.builder().resourceType(ResourceType.VOLUME)
                        .tags(tags.entrySet().stream().map(e -> Tag.builder().key(e.getKey()).value(e.getValue())
                                .build()).toList()).build()));
        return r.volumeId();
    }

    private String availableAttachedVolume(String zone, String instance) {
        String id = newVolume(zone, 20, Map.of("app", "web"));
        advance(3);
        ec2.attachVolume(b -> b.volumeId(id).instanceId(instance).device("/dev/xvdba"));
        advance(4);
        return id;
    }

    // ------------------------------------------------------------------ tests

    @Test
    void describesAvailabilityZones() {
        List<AvailabilityZone> zones = ec2.describeAvailabilityZones().availabilityZones();
        assertEquals(List.of("us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1e", "us-east-1f"),
                zones.stream().map(AvailabilityZone::zoneName).toList());
        assertEquals("available", zones.get(0).stateAsString());
        assertEquals("us-east-1", zones.get(0).regionName());
        assertEquals(1, ec2.describeAvailabilityZones(r -> r.zoneNames("us-east-1c")).availabilityZones().size());
    }

    @Test
    void createVolumeGoesCreatingThenAvailableWithDescribeLag() {
        CreateVolumeResponse r = ec2.createVolume(b -> b.availabilityZone("us-east-1b").size(20)
                .volumeType(VolumeType.GP3).tagSpecifications(TagSpecification.builder()
                        .resourceType(ResourceType.VOLUME).tags(Tag.builder().key("k").value("v").build()).build()));
        assertTrue(r.volumeId().matches("vol-[0-9a-f]{17}"), r.volumeId());
        assertEquals(VolumeState.CREATING, r.state());
        assertEquals(3000, r.iops());
        assertEquals(125, r.throughput());
        assertEquals("v", r.tags().get(0).value());
        // eventual consistency: not yet known to DescribeVolumes
        expect("InvalidVolume.NotFound", () -> describe(r.volumeId()));
        advance(1);
        expect("InvalidVolume.NotFound", () -> describe(r.volumeId()));
        advance(1);
        Volume v = describe(r.volumeId());
        assertEquals(VolumeState.AVAILABLE, v.state());
        assertEquals("us-east-1b", v.availabilityZone());
        assertEquals(20, v.size());
        assertEquals(VolumeType.GP3, v.volumeType());
        assertFalse(v.encrypted());
        assertEquals("v", v.tags().get(0).value());
    }

    @Test
    void clientTokenIsIdempotent() {
        CreateVolumeResponse a = ec2.createVolume(b -> b.availabilityZone("us-east-1b").size(10).clientToken("tok-1"));
        CreateVolumeResponse again = ec2.createVolume(b -> b.availabilityZone("us-east-1b").size(10)
                .clientToken("tok-1"));
        assertEquals(a.volumeId(), again.volumeId());
        expect("IdempotentParameterMismatch", () -> ec2.createVolume(b -> b.availabilityZone("us-east-1b").size(11)
                .clientToken("tok-1")));
        CreateVolumeResponse other = ec2.createVolume(b -> b.availabilityZone("us-east-1b").size(10)
                .clientToken("tok-2"));
        assertNotEquals(a.volumeId(), other.volumeId());
        advance(3);
        assertEquals(2, ec2.describeVolumes().volumes().size());
    }

    @Test
    void badZoneAndBadParameters() {
        expect("InvalidZone.NotFound", () -> ec2.createVolume(b -> b.availabilityZone("us-east-1z").size(10)));
        expect("InvalidParameterValue", () -> ec2.createVolume(b -> b.availabilityZone("us-east-1b").size(10)
                .volumeType(VolumeType.GP3).iops(100)));
        expect("InvalidSnapshot.NotFound", () -> ec2.createVolume(b -> b.availabilityZone("us-east-1b")
                .snapshotId("snap-0123456789abcdef0")));
    }

    @Test
    void attachDetachDeleteLifecycleAndErrors() {
        String id = newVolume("us-east-1b", 20, Map.of());
        expect("IncorrectState", () -> ec2.attachVolume(b -> b.volumeId(id).instanceId("i-00000000000000b01")
                .device("/dev/xvdba")));
        advance(3);
        expect("InvalidVolume.ZoneMismatch", () -> ec2.attachVolume(b -> b.volumeId(id)
                .instanceId("i-00000000000000c01").device("/dev/xvdba")));
        AttachVolumeResponse att = ec2.attachVolume(b -> b.volumeId(id).instanceId("i-00000000000000b01")
                .device("/dev/xvdba"));
        assertEquals(VolumeAttachmentState.ATTACHING, att.state());
        Volume v = describe(id);
        assertEquals(VolumeState.IN_USE, v.state());
        assertEquals(VolumeAttachmentState.ATTACHING, v.attachments().get(0).state());
        advance(3);
        v = describe(id);
        assertEquals(VolumeAttachmentState.ATTACHED, v.attachments().get(0).state());
        assertEquals("i-00000000000000b01", v.attachments().get(0).instanceId());
        assertTrue((boolean) access.<Boolean>with((w, now) -> w.isAttached(id, "i-00000000000000b01"), false));
        expect("VolumeInUse", () -> ec2.attachVolume(b -> b.volumeId(id).instanceId("i-00000000000000b01")
                .device("/dev/xvdbb")));
        expect("VolumeInUse", () -> ec2.deleteVolume(b -> b.volumeId(id)));

        assertEquals(VolumeAttachmentState.DETACHING, ec2.detachVolume(b -> b.volumeId(id)).state());
        advance(3);
        v = describe(id);
        assertEquals(VolumeState.AVAILABLE, v.state());
        assertTrue(v.attachments().isEmpty());
        expect("IncorrectState", () -> ec2.detachVolume(b -> b.volumeId(id)));

        ec2.deleteVolume(b -> b.volumeId(id));
        assertEquals(VolumeState.DELETING, describe(id).state());
        advance(2);
        assertEquals(VolumeState.DELETED, describe(id).state());
        expect("InvalidVolume.NotFound", () -> ec2.deleteVolume(b -> b.volumeId(id)));
        advance(61);
        expect("InvalidVolume.NotFound", () -> describe(id));
        expect("InvalidVolume.NotFound", () -> ec2.attachVolume(b -> b.volumeId("vol-0000000000000dead")
                .instanceId("i-00000000000000b01").device("/dev/xvdba")));
    }

    @Test
    void snapshotCapturesContentAtRequestAndRestoreCarriesIt() {
        String vol = availableAttachedVolume("us-east-1b", "i-00000000000000b01");
        access.with((w, now) -> {
            w.setWriting(vol, true, now);
            return null;
        }, true);
        advance(100); // 100 writes
        CreateSnapshotResponse snap = ec2.createSnapshot(b -> b.volumeId(vol).description("first")
                .tagSpecifications(TagSpecification.builder().resourceType(ResourceType.SNAPSHOT)
                        .tags(Tag.builder().key("job").value("j1").build()).build()));
        assertTrue(snap.snapshotId().matches("snap-[0-9a-f]{17}"));
        assertEquals(SnapshotState.PENDING, snap.state());
        String fpAtRequest = access.with((w, now) -> w.fingerprint(vol, now), false);
        assertEquals(100L, (long) access.<Long>with((w, now) -> w.writes(vol, now), false));
        // the volume keeps being written after the request
        advance(60);
        Snapshot pending = describeSnapshot(snap.snapshotId());
        assertEquals(SnapshotState.PENDING, pending.state());
        int progress = Integer.parseInt(pending.progress().replace("%", ""));
        assertTrue(progress > 0 && progress < 100, pending.progress());
        expect("IncorrectState", () -> ec2.createVolume(b -> b.availabilityZone("us-east-1c")
                .snapshotId(snap.snapshotId())));
        // a full 20 GiB snapshot: 30 s + 20480 MiB / 100 MiB/s = ~235 s
        advance(180);
        assertEquals(SnapshotState.COMPLETED, describeSnapshot(snap.snapshotId()).state());
        assertEquals("100%", describeSnapshot(snap.snapshotId()).progress());

        expect("InvalidParameterValue", () -> ec2.createVolume(b -> b.availabilityZone("us-east-1c").size(10)
                .snapshotId(snap.snapshotId())));
        CreateVolumeResponse restored = ec2.createVolume(b -> b.availabilityZone("us-east-1c")
                .snapshotId(snap.snapshotId()).volumeType(VolumeType.GP3));
        assertEquals(20, restored.size());
        assertEquals(snap.snapshotId(), restored.snapshotId());
        advance(15); // 5 s + 0.5 s/GiB
        assertEquals(VolumeState.AVAILABLE, describe(restored.volumeId()).state());
        Map<String, Object> show = access.with((w, now) -> w.show(now), false);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> vols = (List<Map<String, Object>>) show.get("volumes");
        Map<String, Object> rv = vols.stream().filter(m -> m.get("id").equals(restored.volumeId())).findFirst()
                .orElseThrow();
        assertEquals(fpAtRequest, rv.get("fingerprint"));
        assertEquals(100L, rv.get("writes"));
        Map<String, Object> src = vols.stream().filter(m -> m.get("id").equals(vol)).findFirst().orElseThrow();
        assertNotEquals(fpAtRequest, src.get("fingerprint"));
        assertTrue((Long) src.get("writes") > 100);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> snaps = (List<Map<String, Object>>) show.get("snapshots");
        assertEquals(fpAtRequest, snaps.get(0).get("fingerprint"));
        assertEquals(100L, snaps.get(0).get("writes"));
        assertEquals(Map.of("job", "j1"), snaps.get(0).get("tags"));

        // a detached volume is not written
        String restoredId = restored.volumeId();
        access.with((w, now) -> {
            w.setWriting(restoredId, true, now);
            return null;
        }, true);
        advance(10);
        assertEquals(100L, (long) access.<Long>with((w, now) -> w.writes(restoredId, now), false));
    }

    @Test
    void incrementalSnapshotIsFasterThanFirst() {
        String vol = availableAttachedVolume("us-east-1b", "i-00000000000000b01");
        String first = ec2.createSnapshot(b -> b.volumeId(vol)).snapshotId();
        advance(240);
        assertEquals(SnapshotState.COMPLETED, describeSnapshot(first).state());
        access.with((w, now) -> {
            w.setWriting(vol, true, now);
            return null;
        }, true);
        advance(60);
        String second = ec2.createSnapshot(b -> b.volumeId(vol)).snapshotId();
        advance(31); // 30 s + 60 MiB / 100 MiB/s
        assertEquals(SnapshotState.COMPLETED, describeSnapshot(second).state());
    }

    @Test
    void snapshotRateAndConcurrencyLimits() {
        String vol = availableAttachedVolume("us-east-1b", "i-00000000000000b01");
        ec2.createSnapshot(b -> b.volumeId(vol));
        Ec2Exception e = expect("SnapshotCreationPerVolumeRateExceeded", () -> ec2.createSnapshot(b -> b.volumeId(vol)));
        assertTrue(e.awsErrorDetails().errorMessage().startsWith(
                "The maximum per volume CreateSnapshot request rate has been exceeded."));
        advance(14);
        expect("SnapshotCreationPerVolumeRateExceeded", () -> ec2.createSnapshot(b -> b.volumeId(vol)));
        for (int i = 0; i < 4; i++) {
            advance(16);
            ec2.createSnapshot(b -> b.volumeId(vol));
        }
        advance(16);
        expect("ConcurrentSnapshotLimitExceeded", () -> ec2.createSnapshot(b -> b.volumeId(vol)));
        assertEquals(5, ec2.describeSnapshots(r -> r.filters(Filter.builder().name("volume-id").values(vol).build(),
                Filter.builder().name("status").values("pending").build())).snapshots().size());
        expect("InvalidVolume.NotFound", () -> ec2.createSnapshot(b -> b.volumeId("vol-0000000000000dead")));
    }

    @Test
    void filtersTagsAndSeveralIds() {
        String a = newVolume("us-east-1b", 10, Map.of("team", "blue", "CSIVolumeName", "pvc-a"));
        String b = newVolume("us-east-1c", 10, Map.of("team", "red"));
        String c = newVolume("us-east-1b", 10, Map.of());
        advance(3);
        assertEquals(3, ec2.describeVolumes(r -> r.volumeIds(a, b, c)).volumes().size());
        Ec2Exception e = expect("InvalidVolume.NotFound", () -> ec2.describeVolumes(r -> r.volumeIds(a,
                "vol-0000000000000beef")));
        assertTrue(e.awsErrorDetails().errorMessage().contains("vol-0000000000000beef"));
        assertEquals(java.util.Set.of(a), ids(ec2.describeVolumes(r -> r.filters(Filter.builder().name("tag:team")
                .values("blue").build())).volumes()));
        assertEquals(java.util.Set.of(a, b), ids(ec2.describeVolumes(r -> r.filters(Filter.builder().name("tag-key")
                .values("team").build())).volumes()));
        assertEquals(java.util.Set.of(a, c), ids(ec2.describeVolumes(r -> r.filters(Filter.builder()
                .name("availability-zone").values("us-east-1b").build())).volumes()));
        assertEquals(java.util.Set.of(b), ids(ec2.describeVolumes(r -> r.filters(Filter.builder().name("tag:team")
                .values("r*").build(), Filter.builder().name("status").values("available").build())).volumes()));
        ec2.createTags(r -> r.resources(c).tags(Tag.builder().key("team").value("blue").build()));
        assertEquals(java.util.Set.of(a, c), ids(ec2.describeVolumes(r -> r.filters(Filter.builder().name("tag:team")
                .values("blue").build())).volumes()));
        expect("InvalidVolume.NotFound", () -> ec2.createTags(r -> r.resources("vol-0000000000000beef")
                .tags(Tag.builder().key("x").value("y").build())));

        // snapshots: several ids, filters, tags
        String s1 = ec2.createSnapshot(r -> r.volumeId(a)).snapshotId();
        String s2 = ec2.createSnapshot(r -> r.volumeId(b).tagSpecifications(TagSpecification.builder()
                .resourceType(ResourceType.SNAPSHOT).tags(Tag.builder().key("job").value("7").build()).build()))
                .snapshotId();
        assertEquals(2, ec2.describeSnapshots(r -> r.snapshotIds(s1, s2).ownerIds("self")).snapshots().size());
        assertEquals(List.of(s2), ec2.describeSnapshots(r -> r.filters(Filter.builder().name("tag:job").values("7")
                .build())).snapshots().stream().map(Snapshot::snapshotId).toList());
        assertEquals(List.of(s1), ec2.describeSnapshots(r -> r.filters(Filter.builder().name("volume-id").values(a)
                .build())).snapshots().stream().map(Snapshot::snapshotId).toList());
        expect("InvalidSnapshot.NotFound", () -> ec2.describeSnapshots(r -> r.snapshotIds("snap-0000000000000beef")));
        ec2.deleteSnapshot(r -> r.snapshotId(s1));
        expect("InvalidSnapshot.NotFound", () -> ec2.deleteSnapshot(r -> r.snapshotId(s1)));
        assertEquals(1, ec2.describeSnapshots().snapshots().size());
    }

    @Test
    void markupInValuesSurvivesTheXml() {
        // The XML is written through StAX, which escapes; the SDK must read back exactly what was sent.
        String tricky = "a<b>&c \"d\" 'e' ]]> é";
        String id = newVolume("us-east-1b", 1, Map.of("note", tricky, "k&<>", "v"));
        advance(3);
        Volume v = describe(id);
        assertEquals(Map.of("note", tricky, "k&<>", "v"), v.tags().stream()
                .collect(java.util.stream.Collectors.toMap(Tag::key, Tag::value)));
        String snap = ec2.createSnapshot(b -> b.volumeId(id).description(tricky)).snapshotId();
        assertEquals(tricky, describeSnapshot(snap).description());
    }

    @Test
    void paginatorWalksPages() {
        for (int i = 0; i < 7; i++) {
            newVolume("us-east-1b", 1, Map.of());
        }
        advance(3);
        assertEquals(7, ec2.describeVolumesPaginator(r -> r.maxResults(5)).volumes().stream().count());
    }

    @Test
    void injectedFaults() {
        access.with((w, now) -> {
            w.faults().throttleNext(1).failNext(1);
            return null;
        }, true);
        Ec2Exception t = expect("RequestLimitExceeded", () -> ec2.describeVolumes());
        assertEquals(503, t.statusCode());
        Ec2Exception f = expect("InternalError", () -> ec2.describeVolumes());
        assertEquals(500, f.statusCode());
        assertTrue(ec2.describeVolumes().volumes().isEmpty());

        access.with((w, now) -> {
            w.faults().zone("us-east-1d", Ec2Faults.ZoneFault.REJECT).zone("us-east-1e", Ec2Faults.ZoneFault.ERROR);
            return null;
        }, true);
        expect("InsufficientVolumeCapacity", () -> ec2.createVolume(b -> b.availabilityZone("us-east-1d").size(5)));
        String bad = ec2.createVolume(b -> b.availabilityZone("us-east-1e").size(5).clientToken("t-e")).volumeId();
        advance(3);
        assertEquals(VolumeState.ERROR, describe(bad).state());
        expect("IdempotentParameterMismatch", () -> ec2.createVolume(b -> b.availabilityZone("us-east-1e").size(5)
                .clientToken("t-e")));

        String vol = availableAttachedVolume("us-east-1b", "i-00000000000000b01");
        access.with((w, now) -> {
            w.faults().failSnapshots(1);
            return null;
        }, true);
        String s = ec2.createSnapshot(b -> b.volumeId(vol)).snapshotId();
        advance(300);
        assertEquals(SnapshotState.ERROR, describeSnapshot(s).state());
        expect("IncorrectState", () -> ec2.createVolume(b -> b.availabilityZone("us-east-1b").snapshotId(s)));
        String s2 = ec2.createSnapshot(b -> b.volumeId(vol)).snapshotId();
        advance(300);
        assertEquals(SnapshotState.COMPLETED, describeSnapshot(s2).state());
    }

    @Test
    void tokenBucketsThrottleInWallTime() {
        // mutating: 50 tokens, 5/s
        for (int i = 0; i < 50; i++) {
            expect("InvalidVolume.NotFound", () -> ec2.deleteVolume(b -> b.volumeId("vol-0000000000000dead")));
        }
        expect("RequestLimitExceeded", () -> ec2.deleteVolume(b -> b.volumeId("vol-0000000000000dead")));
        // describes have their own buckets; unfiltered ones: 50 tokens, 10/s
        for (int i = 0; i < 50; i++) {
            ec2.describeVolumes();
        }
        expect("RequestLimitExceeded", () -> ec2.describeVolumes());
        ec2.describeVolumes(r -> r.filters(Filter.builder().name("status").values("available").build()));
        wallNanos.addAndGet(1_000_000_000L); // one wall second refills 5 mutating tokens
        expect("InvalidVolume.NotFound", () -> ec2.deleteVolume(b -> b.volumeId("vol-0000000000000dead")));
    }

    @Test
    void rawProtocolErrors() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("Action=RunInstances&Version=2016-11-15")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("<Code>InvalidAction</Code>"), r.body());
        assertTrue(r.body().contains("<RequestID>"), r.body());
        r = http.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("Action=DeleteVolume&Version=2016-11-15")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("<Code>MissingParameter</Code>"), r.body());
        r = http.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("Action=DescribeVolumes&Version=2016-11-15")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertTrue(r.body().startsWith("<?xml"), r.body());
        assertTrue(r.body().contains("<DescribeVolumesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
                + "<requestId>"), r.body());
    }

    @Test
    void stateSurvivesJsonRoundTripAndBehavesTheSame() {
        String vol = availableAttachedVolume("us-east-1b", "i-00000000000000b01");
        access.with((w, now) -> {
            w.setWriting(vol, true, now);
            w.faults().failNext(2).zone("us-east-1a", Ec2Faults.ZoneFault.ERROR);
            return null;
        }, true);
        advance(20);
        access.with((w, now) -> {
            w.faults().failNext(0);
            return null;
        }, true);
        ec2.createSnapshot(b -> b.volumeId(vol));
        ec2.createVolume(b -> b.availabilityZone("us-east-1b").size(3).clientToken("tok"));
        Ec2World original = access.world();
        String json = original.toJson();
        assertFalse(json.contains("\n"));
        Ec2World copy = Ec2World.fromJson(json);
        assertEquals(json, copy.toJson());
        assertEquals(original.nextEventAt(), copy.nextEventAt());
        long later = clock.get() + 500_000;
        original.advanceTo(later);
        copy.advanceTo(later);
        assertEquals(original.show(later), copy.show(later));
        assertEquals(original.toJson(), copy.toJson());
        // ids continue identically after a reload
        String id1 = original.createVolume("us-east-1b", 1, "gp3", null, null, false, null, Map.of(), later, true);
        String id2 = copy.createVolume("us-east-1b", 1, "gp3", null, null, false, null, Map.of(), later, true);
        assertEquals(id1, id2);
    }

    @Test
    void directApiForTheKubernetesHalf() {
        Ec2World w = Ec2World.empty("us-east-1");
        w.registerInstance("i-1", "us-east-1b");
        w.registerInstance("i-2", "us-east-1c");
        String id = w.createVolume("us-east-1b", 20, "gp3", null, null, false, null, Map.of("a", "b"), T0, true);
        assertEquals("available", w.volume(id).state());
        assertEquals("InvalidVolume.ZoneMismatch", w.attach(id, "i-2", T0));
        assertNull(w.attach(id, "i-1", T0));
        assertFalse(w.isAttached(id, "i-1"));
        assertEquals(T0 + Ec2World.ATTACH_MS, w.nextEventAt());
        w.advanceTo(T0 + 3000);
        assertTrue(w.isAttached(id, "i-1"));
        assertEquals(List.of("i-1"), w.volume(id).attachedInstanceIds());
        assertFalse(w.deleteVolume(id, T0 + 3000));
        w.setWriting(id, true, T0 + 3000);
        w.detach(id, "i-1", T0 + 13_000);
        assertEquals(10, w.writes(id, T0 + 20_000));
        w.advanceTo(T0 + 16_000);
        assertEquals("available", w.volume(id).state());
        assertTrue(w.deleteVolume(id, T0 + 16_000));
        assertEquals(Long.MAX_VALUE, Ec2World.empty("us-east-1").nextEventAt());
        String lazy = w.createVolume("us-east-1c", 5, "gp2", null, null, false, null, null, T0 + 16_000, false);
        assertEquals("creating", w.volume(lazy).state());
        w.advanceTo(T0 + 18_000);
        assertEquals("available", w.volume(lazy).state());
        assertNull(w.volume("vol-nothere"));
    }

    private static java.util.Set<String> ids(List<Volume> vs) {
        return new java.util.TreeSet<>(vs.stream().map(Volume::volumeId).toList());
    }
}
