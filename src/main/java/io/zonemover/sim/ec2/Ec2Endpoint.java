package io.zonemover.sim.ec2;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.zonemover.sim.WorldStore;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The EC2 Query protocol endpoint, as the AWS SDK v2 {@code Ec2Client} speaks it: form-encoded POSTs
 * ({@code Action}, {@code Version}, flattened lists such as {@code VolumeId.1}, {@code Filter.1.Value.1}),
 * XML answers in the {@code 2016-11-15} namespace, and EC2's error document.
 *
 * <p>Request throttling follows EC2's token buckets ("Request throttling for the Amazon EC2 API",
 * {@code ec2/latest/devguide/ec2-api-throttling}): per account, in wall time, kept in this process's memory
 * (not persisted): mutating actions 50 tokens refilled at 5/s; non-mutating (Describe) actions 100 tokens at
 * 20/s (the page's DescribeHosts example); unfiltered and unpaginated non-mutating actions 50 tokens at 10/s.
 * An empty bucket answers {@code RequestLimitExceeded} with HTTP 503.
 */
public final class Ec2Endpoint implements HttpHandler {

    static final String NS = "http://ec2.amazonaws.com/doc/2016-11-15/";
    private static final DateTimeFormatter TS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final Set<String> MUTATING = Set.of("CreateVolume", "DeleteVolume", "AttachVolume",
            "DetachVolume", "CreateSnapshot", "DeleteSnapshot", "CreateTags");
    private static final Set<String> DESCRIBE = Set.of("DescribeVolumes", "DescribeSnapshots",
            "DescribeAvailabilityZones");

    private final Ec2Access access;
    private final TokenBucket mutating;
    private final TokenBucket describe;
    private final TokenBucket unfiltered;

    public Ec2Endpoint(WorldStore store) {
        this(Ec2Access.of(store));
    }

    public Ec2Endpoint(Ec2Access access) {
        this(access, System::nanoTime);
    }

    /** {@code wallNanos} is the wall clock the throttling buckets refill by (tests can drive it). */
    public Ec2Endpoint(Ec2Access access, LongSupplier wallNanos) {
        this.access = access;
        this.mutating = new TokenBucket(50, 5, wallNanos);
        this.describe = new TokenBucket(100, 20, wallNanos);
        this.unfiltered = new TokenBucket(50, 10, wallNanos);
    }

    /** A reply: HTTP status and XML body. */
    record Reply(int status, String body) {
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String requestId = UUID.randomUUID().toString();
        Reply reply;
        try {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Map<String, String> params = new LinkedHashMap<>();
            parseForm(exchange.getRequestURI().getRawQuery(), params);
            parseForm(body, params);
            reply = dispatch(params, requestId);
        } catch (Ec2Error e) {
            reply = error(e, requestId);
        } catch (RuntimeException e) {
            reply = error(new Ec2Error("InternalError", "An internal error has occurred: " + e, 500), requestId);
        }
        byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/xml;charset=UTF-8");
        exchange.getResponseHeaders().set("x-amzn-RequestId", requestId);
        exchange.sendResponseHeaders(reply.status(), bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Handles one request given its decoded parameters (public for tests that skip HTTP). */
    Reply dispatch(Map<String, String> params, String requestId) {
        String action = params.get("Action");
        if (action == null) {
            throw Ec2Error.missing("Action");
        }
        if (!MUTATING.contains(action) && !DESCRIBE.contains(action)) {
            throw new Ec2Error("InvalidAction", "The action " + action + " is not valid for this web service.");
        }
        TokenBucket bucket = MUTATING.contains(action) ? mutating
                : isUnfiltered(params) ? unfiltered : describe;
        if (!bucket.take()) {
            throw new Ec2Error("RequestLimitExceeded", "Request limit exceeded.", 503);
        }
        Ec2Access.Op<Reply> op = (world, now) -> {
            try {
                world.consumeCallFault();
                return new Reply(200, run(action, params, world, now, requestId));
            } catch (Ec2Error e) {
                return error(e, requestId);
            }
        };
        if (MUTATING.contains(action)) {
            return access.write(op);
        }
        Reply r = access.read((world, now) -> world.faults().hasCallFaults() ? null : op.apply(world, now));
        return r != null ? r : access.write(op);
    }

    private static boolean isUnfiltered(Map<String, String> params) {
        for (String k : params.keySet()) {
            if (k.startsWith("VolumeId.") || k.startsWith("SnapshotId.") || k.startsWith("Filter.")
                    || k.startsWith("ZoneName.") || k.equals("MaxResults") || k.equals("NextToken")) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------ actions

    private String run(String action, Map<String, String> p, Ec2World w, long now, String requestId) {
        Xml x = new Xml(action + "Response", requestId);
        switch (action) {
            case "DescribeAvailabilityZones" -> describeZones(p, w, x);
            case "DescribeVolumes" -> describeVolumes(p, w, now, x);
            case "DescribeSnapshots" -> describeSnapshots(p, w, now, x);
            case "CreateVolume" -> {
                Ec2World.CreateVolumeRequest r = new Ec2World.CreateVolumeRequest();
                r.zone = p.get("AvailabilityZone");
                r.sizeGiB = intParam(p, "Size");
                r.snapshotId = p.get("SnapshotId");
                r.type = p.get("VolumeType");
                r.iops = intParam(p, "Iops");
                r.throughput = intParam(p, "Throughput");
                r.encrypted = p.containsKey("Encrypted") ? Boolean.parseBoolean(p.get("Encrypted")) : null;
                r.kmsKeyId = p.get("KmsKeyId");
                r.tags = tagSpecs(p, "volume");
                r.clientToken = p.get("ClientToken");
                Ec2World.Volume v = w.createVolume(r, now);
                volumeFields(w, v, now, x);
            }
            case "DeleteVolume" -> {
                w.deleteVolumeApi(required(p, "VolumeId"), now);
                x.el("return", "true");
            }
            case "AttachVolume" -> {
                String volumeId = required(p, "VolumeId");
                Ec2World.Attachment a = w.attachVolume(volumeId, required(p, "InstanceId"),
                        required(p, "Device"), now);
                attachmentFields(volumeId, a, x);
            }
            case "DetachVolume" -> {
                String volumeId = required(p, "VolumeId");
                Ec2World.Attachment a = w.detachVolume(volumeId, p.get("InstanceId"), now);
                attachmentFields(volumeId, a, x);
            }
            case "CreateSnapshot" -> {
                Ec2World.Snapshot sn = w.createSnapshot(required(p, "VolumeId"), p.get("Description"),
                        tagSpecs(p, "snapshot"), now);
                snapshotFields(sn, now, x);
            }
            case "DeleteSnapshot" -> {
                w.deleteSnapshot(required(p, "SnapshotId"));
                x.el("return", "true");
            }
            case "CreateTags" -> {
                List<String> ids = list(p, "ResourceId");
                if (ids.isEmpty()) {
                    throw Ec2Error.missing("ResourceId");
                }
                w.createTags(ids, tags(p, "Tag"), now);
                x.el("return", "true");
            }
            default -> throw new Ec2Error("InvalidAction", "The action " + action + " is not valid.");
        }
        return x.finish();
    }

    private void describeZones(Map<String, String> p, Ec2World w, Xml x) {
        List<String> names = list(p, "ZoneName");
        for (String n : names) {
            if (!w.zones().contains(n)) {
                throw Ec2Error.invalid("Invalid availability zone: [" + n + "]");
            }
        }
        List<Filter> filters = filters(p);
        x.open("availabilityZoneInfo");
        int index = 0;
        for (String zone : w.zones()) {
            index++;
            String zoneId = regionPrefix(w.region()) + "-az" + index;
            if (!names.isEmpty() && !names.contains(zone)) {
                continue;
            }
            boolean ok = true;
            for (Filter f : filters) {
                String value = switch (f.name) {
                    case "zone-name" -> zone;
                    case "zone-id" -> zoneId;
                    case "region-name" -> w.region();
                    case "state" -> "available";
                    default -> throw Ec2Error.invalid("The filter '" + f.name + "' is invalid");
                };
                ok &= f.matches(value);
            }
            if (!ok) {
                continue;
            }
            x.open("item").el("zoneState", "available").el("optInStatus", "opt-in-not-required")
                    .open("messageSet").close().el("regionName", w.region()).el("zoneName", zone)
                    .el("zoneId", zoneId).el("groupName", w.region()).el("networkBorderGroup", w.region())
                    .el("zoneType", "availability-zone").close();
        }
        x.close();
    }

    private static String regionPrefix(String region) {
        String[] parts = region.split("-");
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < parts.length - 1; i++) {
            b.append(parts[i].length() <= 2 ? parts[i] : parts[i].substring(0, 1));
        }
        return b.append(parts[parts.length - 1]).toString();
    }

    private void describeVolumes(Map<String, String> p, Ec2World w, long now, Xml x) {
        List<String> ids = list(p, "VolumeId");
        List<Ec2World.Volume> found = new ArrayList<>();
        if (!ids.isEmpty()) {
            List<String> missing = new ArrayList<>();
            for (String id : new TreeSet<>(ids)) {
                try {
                    found.add(w.visibleVolume(id, now));
                } catch (Ec2Error e) {
                    missing.add(id);
                }
            }
            if (!missing.isEmpty()) {
                throw missing.size() == 1 ? Ec2Error.volumeNotFound(missing.get(0))
                        : new Ec2Error("InvalidVolume.NotFound", "The volumes '" + String.join(", ", missing)
                        + "' do not exist.");
            }
        } else {
            for (Ec2World.Volume v : w.allVolumes()) {
                if (w.isVisible(v, now)) {
                    found.add(v);
                }
            }
        }
        List<Filter> filters = filters(p);
        List<Ec2World.Volume> matched = new ArrayList<>();
        for (Ec2World.Volume v : found) {
            boolean ok = true;
            for (Filter f : filters) {
                ok &= switch (f.name) {
                    case "volume-id" -> f.matches(v.id);
                    case "availability-zone" -> f.matches(v.zone);
                    case "status" -> f.matches(v.state);
                    case "snapshot-id" -> f.matches(v.snapshotId == null ? "" : v.snapshotId);
                    case "volume-type" -> f.matches(v.type);
                    case "size" -> f.matches(Integer.toString(v.sizeGiB));
                    case "encrypted" -> f.matches(Boolean.toString(v.encrypted));
                    case "attachment.instance-id" -> v.attachment != null && f.matches(v.attachment.instanceId);
                    case "attachment.status" -> v.attachment != null && f.matches(v.attachment.state);
                    default -> tagFilter(f, v.tags);
                };
            }
            if (ok) {
                matched.add(v);
            }
        }
        List<Ec2World.Volume> page = paginate(p, matched, x);
        x.open("volumeSet");
        for (Ec2World.Volume v : page) {
            x.open("item");
            volumeFields(w, v, now, x);
            x.close();
        }
        x.close();
        x.flushTrailer();
    }

    private void describeSnapshots(Map<String, String> p, Ec2World w, long now, Xml x) {
        List<String> ids = list(p, "SnapshotId");
        List<Ec2World.Snapshot> found = new ArrayList<>();
        if (!ids.isEmpty()) {
            List<String> missing = new ArrayList<>();
            for (String id : new TreeSet<>(ids)) {
                try {
                    found.add(w.existingSnapshot(id));
                } catch (Ec2Error e) {
                    missing.add(id);
                }
            }
            if (!missing.isEmpty()) {
                throw missing.size() == 1 ? Ec2Error.snapshotNotFound(missing.get(0))
                        : new Ec2Error("InvalidSnapshot.NotFound", "The snapshots '" + String.join(", ", missing)
                        + "' do not exist.");
            }
        } else {
            found.addAll(w.allSnapshots());
        }
        List<Filter> filters = filters(p);
        List<Ec2World.Snapshot> matched = new ArrayList<>();
        for (Ec2World.Snapshot sn : found) {
            boolean ok = true;
            for (Filter f : filters) {
                ok &= switch (f.name) {
                    case "snapshot-id" -> f.matches(sn.id);
                    case "volume-id" -> f.matches(sn.volumeId);
                    case "status" -> f.matches(sn.state);
                    case "owner-id" -> f.matches(Ec2World.OWNER_ID);
                    case "description" -> f.matches(sn.description);
                    case "progress" -> f.matches(Ec2World.progress(sn, now) + "%");
                    case "volume-size" -> f.matches(Integer.toString(sn.sizeGiB));
                    case "encrypted" -> f.matches(Boolean.toString(sn.encrypted));
                    default -> tagFilter(f, sn.tags);
                };
            }
            if (ok) {
                matched.add(sn);
            }
        }
        List<Ec2World.Snapshot> page = paginate(p, matched, x);
        x.open("snapshotSet");
        for (Ec2World.Snapshot sn : page) {
            x.open("item");
            snapshotFields(sn, now, x);
            x.close();
        }
        x.close();
        x.flushTrailer();
    }

    private static boolean tagFilter(Filter f, Map<String, String> tags) {
        if (f.name.startsWith("tag:")) {
            String v = tags.get(f.name.substring(4));
            return v != null && f.matches(v);
        }
        if (f.name.equals("tag-key")) {
            return tags.keySet().stream().anyMatch(f::matches);
        }
        if (f.name.equals("tag-value")) {
            return tags.values().stream().anyMatch(f::matches);
        }
        throw Ec2Error.invalid("The filter '" + f.name + "' is invalid");
    }

    private static <T> List<T> paginate(Map<String, String> p, List<T> all, Xml x) {
        Integer max = intParam(p, "MaxResults");
        if (max == null && !p.containsKey("NextToken")) {
            return all;
        }
        int from = 0;
        if (p.get("NextToken") != null && !p.get("NextToken").isEmpty()) {
            try {
                from = Integer.parseInt(p.get("NextToken"));
            } catch (NumberFormatException e) {
                throw Ec2Error.invalid("Invalid NextToken");
            }
        }
        int size = max == null ? 1000 : Math.max(5, Math.min(1000, max));
        int to = Math.min(all.size(), from + size);
        if (to < all.size()) {
            x.trailer("nextToken", Integer.toString(to));
        }
        return from >= all.size() ? List.of() : all.subList(from, to);
    }

    private static void volumeFields(Ec2World w, Ec2World.Volume v, long now, Xml x) {
        x.el("volumeId", v.id).el("size", Integer.toString(v.sizeGiB))
                .el("snapshotId", v.snapshotId == null ? "" : v.snapshotId)
                .el("availabilityZone", v.zone).el("status", v.state)
                .el("createTime", TS.format(Instant.ofEpochMilli(v.createTime)));
        x.open("attachmentSet");
        if (v.attachment != null) {
            x.open("item");
            attachmentFields(v.id, v.attachment, x);
            x.close();
        }
        x.close();
        x.el("volumeType", v.type);
        if (v.iops != null) {
            x.el("iops", Integer.toString(v.iops));
        }
        if (v.throughput != null) {
            x.el("throughput", Integer.toString(v.throughput));
        }
        x.el("encrypted", Boolean.toString(v.encrypted));
        if (v.kmsKeyId != null) {
            x.el("kmsKeyId", v.kmsKeyId);
        }
        x.el("multiAttachEnabled", "false");
        tagSet(v.tags, x);
    }

    private static void attachmentFields(String volumeId, Ec2World.Attachment a, Xml x) {
        x.el("volumeId", volumeId).el("instanceId", a.instanceId).el("device", a.device).el("status", a.state)
                .el("attachTime", TS.format(Instant.ofEpochMilli(a.attachTime)))
                .el("deleteOnTermination", "false");
    }

    private static void snapshotFields(Ec2World.Snapshot sn, long now, Xml x) {
        x.el("snapshotId", sn.id).el("volumeId", sn.volumeId).el("status", sn.state)
                .el("startTime", TS.format(Instant.ofEpochMilli(sn.startTime)))
                .el("progress", Ec2World.progress(sn, now) + "%").el("ownerId", Ec2World.OWNER_ID)
                .el("volumeSize", Integer.toString(sn.sizeGiB)).el("description", sn.description)
                .el("encrypted", Boolean.toString(sn.encrypted));
        if (sn.kmsKeyId != null) {
            x.el("kmsKeyId", sn.kmsKeyId);
        }
        if ("error".equals(sn.state)) {
            x.el("stateMessage", "Snapshot failed (injected fault)");
        }
        x.el("storageTier", "standard");
        tagSet(sn.tags, x);
    }

    private static void tagSet(Map<String, String> tags, Xml x) {
        x.open("tagSet");
        tags.forEach((k, v) -> x.open("item").el("key", k).el("value", v).close());
        x.close();
    }

    // ------------------------------------------------------------------ parameters

    static void parseForm(String raw, Map<String, String> into) {
        if (raw == null || raw.isEmpty()) {
            return;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            into.put(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
        }
    }

    private static String required(Map<String, String> p, String name) {
        String v = p.get(name);
        if (v == null || v.isEmpty()) {
            throw Ec2Error.missing(name);
        }
        return v;
    }

    private static Integer intParam(Map<String, String> p, String name) {
        String v = p.get(name);
        if (v == null || v.isEmpty()) {
            return null;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw Ec2Error.invalid("Value (" + v + ") for parameter " + name + " is invalid.");
        }
    }

    /** Values of {@code PREFIX.1}, {@code PREFIX.2}, ... in index order. */
    static List<String> list(Map<String, String> p, String prefix) {
        Pattern pat = Pattern.compile(Pattern.quote(prefix) + "\\.(\\d+)");
        TreeMap<Integer, String> byIndex = new TreeMap<>();
        p.forEach((k, v) -> {
            Matcher m = pat.matcher(k);
            if (m.matches()) {
                byIndex.put(Integer.parseInt(m.group(1)), v);
            }
        });
        return new ArrayList<>(byIndex.values());
    }

    /** Indexes N for which some key starts with {@code PREFIX.N.}. */
    private static TreeSet<Integer> indexes(Map<String, String> p, String prefix) {
        Pattern pat = Pattern.compile(Pattern.quote(prefix) + "\\.(\\d+)\\..*");
        TreeSet<Integer> out = new TreeSet<>();
        for (String k : p.keySet()) {
            Matcher m = pat.matcher(k);
            if (m.matches()) {
                out.add(Integer.parseInt(m.group(1)));
            }
        }
        return out;
    }

    /** {@code PREFIX.N.Key} / {@code PREFIX.N.Value} pairs. */
    private static Map<String, String> tags(Map<String, String> p, String prefix) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i : indexes(p, prefix)) {
            String key = p.get(prefix + "." + i + ".Key");
            if (key == null) {
                throw Ec2Error.missing(prefix + "." + i + ".Key");
            }
            out.put(key, p.getOrDefault(prefix + "." + i + ".Value", ""));
        }
        return out;
    }

    /** Tags of every {@code TagSpecification.N} whose ResourceType is {@code resourceType}. */
    private static Map<String, String> tagSpecs(Map<String, String> p, String resourceType) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i : indexes(p, "TagSpecification")) {
            String type = p.get("TagSpecification." + i + ".ResourceType");
            if (type == null) {
                throw Ec2Error.missing("TagSpecification." + i + ".ResourceType");
            }
            if (!type.equals(resourceType)) {
                throw Ec2Error.invalid("'" + type + "' is not a valid taggable resource type for this operation.");
            }
            out.putAll(tags(p, "TagSpecification." + i + ".Tag"));
        }
        return out;
    }

    record Filter(String name, List<String> values) {
        boolean matches(String actual) {
            for (String v : values) {
                if (glob(v).matcher(actual).matches()) {
                    return true;
                }
            }
            return false;
        }

        private static Pattern glob(String v) {
            StringBuilder b = new StringBuilder();
            for (char c : v.toCharArray()) {
                switch (c) {
                    case '*' -> b.append(".*");
                    case '?' -> b.append('.');
                    default -> b.append(Pattern.quote(String.valueOf(c)));
                }
            }
            return Pattern.compile(b.toString(), Pattern.DOTALL);
        }
    }

    private static List<Filter> filters(Map<String, String> p) {
        List<Filter> out = new ArrayList<>();
        for (int i : indexes(p, "Filter")) {
            String name = p.get("Filter." + i + ".Name");
            if (name == null) {
                throw Ec2Error.missing("Filter." + i + ".Name");
            }
            out.add(new Filter(name, list(p, "Filter." + i + ".Value")));
        }
        return out;
    }

    // ------------------------------------------------------------------ XML

    static Reply error(Ec2Error e, String requestId) {
        String body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>" + esc(e.code())
                + "</Code><Message>" + esc(e.getMessage()) + "</Message></Error></Errors><RequestID>" + requestId
                + "</RequestID></Response>";
        return new Reply(e.httpStatus(), body);
    }

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&apos;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** A tiny XML writer for EC2 responses. */
    static final class Xml {
        private final StringBuilder b = new StringBuilder();
        private final List<String> stack = new ArrayList<>();
        private final String root;
        private final Map<String, String> trailer = new LinkedHashMap<>();

        Xml(String root, String requestId) {
            this.root = root;
            b.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<").append(root).append(" xmlns=\"").append(NS)
                    .append("\">").append("<requestId>").append(requestId).append("</requestId>");
        }

        Xml open(String name) {
            b.append('<').append(name).append('>');
            stack.add(name);
            return this;
        }

        Xml close() {
            b.append("</").append(stack.remove(stack.size() - 1)).append('>');
            return this;
        }

        Xml el(String name, String value) {
            b.append('<').append(name).append('>').append(esc(value)).append("</").append(name).append('>');
            return this;
        }

        void trailer(String name, String value) {
            trailer.put(name, value);
        }

        void flushTrailer() {
            trailer.forEach(this::el);
            trailer.clear();
        }

        String finish() {
            return b.append("</").append(root).append('>').toString();
        }
    }

    // ------------------------------------------------------------------ throttling

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
